/// <reference lib="webworker" />
/**
 * A pool thread in the browser: runs each task it is sent (shared-memory
 * work from core/parallel/tasks.ts) and answers with its result. Started by
 * workers/pool.ts from inside another worker, so the page never waits on it.
 */
import { runTask } from '../src/core/parallel/tasks.ts';

self.onmessage = async (e: MessageEvent<unknown>) => self.postMessage(await runTask(e.data));

/** A pool thread in node (worker_threads): runs each task it is sent (core/parallel/tasks.ts). */
import { parentPort } from 'node:worker_threads';
import { runTask } from '../core/parallel/tasks.ts';

parentPort?.on('message', (m: unknown) => {
  void runTask(m).then((reply) => parentPort?.postMessage(reply));
});

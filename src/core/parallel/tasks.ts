/**
 * What a helper thread can be asked to do: the one entry point of every
 * pool thread (workers/thread.worker.ts in a browser, src/cli/thread-node.ts
 * in node). Each task works on shared memory it was sent and returns a
 * small value.
 */
import { runSgnsHelper, type SgnsHelperTask } from '../embeddings/sgns-team.ts';
import {
  runMirrorHelper,
  runSpdHelper,
  type MirrorHelperTask,
  type SpdHelperTask,
} from '../models/linalg.ts';
import { runGramHelper, type GramHelperTask } from '../models/gram.ts';
import { runNcfHelper, type NcfHelperTask } from '../train/ncf-trainer.ts';
import { runEvaluateHelper, type EvaluateHelperTask } from '../eval/parallel-eval.ts';
import { runReplayHelper, type ReplayHelperTask } from '../recommend/parallel-replay.ts';
import { runNewUsersHelper, type NewUsersHelperTask } from '../recommend/parallel-new-users.ts';
import type { TaskReply } from './pool.ts';

/** 'ping' answers at once: it starts a thread and shows that it runs. */
export type ThreadTask =
  | SgnsHelperTask
  | SpdHelperTask
  | MirrorHelperTask
  | GramHelperTask
  | NcfHelperTask
  | EvaluateHelperTask
  | ReplayHelperTask
  | NewUsersHelperTask
  | { task: 'ping' };

export async function runTask(message: unknown): Promise<TaskReply> {
  const t = message as ThreadTask;
  try {
    switch (t.task) {
      case 'sgns':
        return { ok: true, value: await runSgnsHelper(t) };
      case 'spd':
        return { ok: true, value: await runSpdHelper(t) };
      case 'mirror':
        return { ok: true, value: runMirrorHelper(t) };
      case 'gram':
        return { ok: true, value: runGramHelper(t) };
      case 'ncf':
        return { ok: true, value: await runNcfHelper(t) };
      case 'evaluate':
        return { ok: true, value: await runEvaluateHelper(t) };
      case 'replay':
        return { ok: true, value: await runReplayHelper(t) };
      case 'new-users':
        return { ok: true, value: await runNewUsersHelper(t) };
      case 'ping':
        return { ok: true, value: 'pong' };
      default:
        return {
          ok: false,
          message: `Unknown thread task "${String((t as { task?: unknown }).task)}".`,
        };
    }
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

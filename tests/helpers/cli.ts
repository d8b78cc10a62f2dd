import type { Io } from '../../lib/cli/context.js';
import { run } from '../../lib/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  questions: string[];
}

/** Runs the CLI in-process as an operator would, capturing what they would see. */
export async function cli(args: string[], options: { interactive?: boolean; answer?: string } = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const questions: string[] = [];
  const io: Io = {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    isInteractive: options.interactive ?? false,
    ask: async (question) => {
      questions.push(question);
      return options.answer ?? '';
    },
  };
  const code = await run(args, io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), questions };
}

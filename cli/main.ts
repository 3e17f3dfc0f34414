/**
 * The `clipdex` CLI: thin commands over lib/. One file per command under cli/commands/, each
 * exporting `register<Name>Command(program)`. Exit codes: 0 ok, 1 nothing done (e.g. nothing
 * could be ingested), 2 usage or bad input, 3 model/index setup (lib/errors `toExitCode`).
 */
import { Command, CommanderError } from 'commander';
import { registerClassifyCommand } from './commands/classify';
import { registerDatasetsCommand } from './commands/datasets';
import { registerEvaluateCommand } from './commands/evaluate';
import { registerIngestCommand } from './commands/ingest';
import { registerMigrateCommand } from './commands/migrate';
import { registerPredictCommand } from './commands/predict';
import { registerReindexCommand } from './commands/reindex';
import { registerSearchCommand } from './commands/search';
import { registerStatsCommand } from './commands/stats';
import { registerTrainCommand } from './commands/train';
import { registerAdaptersCommand } from './commands/adapters';
import { registerDuplicatesCommand } from './commands/duplicates'; // issue 11
import { registerWorkerCommand } from './commands/worker';
import { closeOpenedEngine } from './engine-cli';
import { fail, usageSafe } from './output';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('clipdex')
    .description('self-hosted image-text search on CLIP + HNSW. Data: CLIPDEX_DATA_DIR (default ./data); model: CLIPDEX_MODEL_DIR')
    .showHelpAfterError('(add --help for usage)')
    // Commander echoes a refused argument as typed: escape control characters and cut a huge one.
    // Set before the commands are added, which inherit it.
    .configureOutput({ writeErr: (s) => process.stderr.write(usageSafe(s)) })
    .exitOverride();
  registerIngestCommand(program);
  registerSearchCommand(program);
  registerReindexCommand(program);
  registerStatsCommand(program);
  registerDatasetsCommand(program);
  registerEvaluateCommand(program);
  registerPredictCommand(program);
  registerClassifyCommand(program);
  // issue 12: train mode and its adapters
  registerTrainCommand(program);
  registerAdaptersCommand(program);
  registerDuplicatesCommand(program); // issue 11: near-duplicate groups
  registerMigrateCommand(program);
  registerWorkerCommand(program); // issue 15: distributed mode
  return program;
}

/**
 * ONNX Runtime 1.30 (onnxruntime-node) crashes with SIGSEGV while creating a session when the
 * process's command line is about 40 KB or more (seen with a bare InferenceSession.create), so a
 * long argument is refused before any model loads. No clipdex argument needs this much: long
 * text goes in a file.
 */
export const MAX_ARGV_BYTES = 16 * 1024;

/** Run the CLI and return the exit code (the launcher exits with it). */
export async function main(argv: string[]): Promise<number> {
  const argBytes = argv.slice(2).reduce((n, a) => n + Buffer.byteLength(a) + 1, 0);
  if (argBytes > MAX_ARGV_BYTES) {
    process.stderr.write(
      `clipdex: the arguments are ${argBytes} bytes; at most ${MAX_ARGV_BYTES} are accepted. Put long text in a file ` +
        `(a texts file for predict/evaluate, a pairs file for ingest) rather than on the command line.\n`,
    );
    return 2;
  }
  const program = buildProgram();
  try {
    if (argv.length <= 2) {
      program.outputHelp();
      return 2;
    }
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with code 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    fail(err); // an error no action caught (command() catches those of every action)
  } finally {
    await closeOpenedEngine().catch((err) => {
      process.stderr.write(`clipdex: closing: ${(err as Error).message}\n`);
    });
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

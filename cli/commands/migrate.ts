/**
 * `clipdex migrate` — apply pending database migrations to DATABASE_URL (SQLite by default,
 * under CLIPDEX_DATA_DIR, or PostgreSQL). The one migration path: `npm run db:migrate`,
 * `npm start` and the e2e server run this; other commands migrate on their own when needed.
 * It opens neither the model nor the indexes, so it is quick.
 */
import type { Command } from 'commander';
import { command } from '../output';

export function registerMigrateCommand(program: Command): Command {
  return program
    .command('migrate')
    .description('apply pending database migrations (DATABASE_URL, default SQLite in CLIPDEX_DATA_DIR)')
    .action(
      command(async () => {
        // Prisma and the drivers load when the command runs, not for --help
        const [{ getConfig }, { migrateDatabase, providerOf }] = await Promise.all([import('../../lib/config'), import('../../lib/db')]);
        const url = getConfig().databaseUrl;
        const applied = await migrateDatabase(url);
        const where = providerOf(url) === 'postgresql' ? 'PostgreSQL' : url.slice('file:'.length);
        process.stdout.write(applied.length ? `migrated ${where}: applied ${applied.join(', ')}\n` : `${where} is up to date\n`);
      }),
    );
}

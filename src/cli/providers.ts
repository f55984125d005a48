import type { Command } from 'commander';
import { resolveConfig } from '../config/load.js';
import { checkProviders } from '../providers/check.js';
import { formatTable } from '../util/table.js';
import {
  configOption,
  jsonFlag,
  type ProviderFlags,
  providersFromFlags,
  withProviderFlags,
} from './flags.js';

/** `crsaug providers check`: one call to each configured endpoint, pass or fail. */
export function register(program: Command): void {
  const providers = program.command('providers').description('the configured LLM and embedding providers');
  withProviderFlags(
    configOption(
      providers
        .command('check')
        .description(
          'one embedding call and one chat call against the configured endpoints (no cache, no retries): pass or fail; exit 1 when a call fails',
        ),
    ),
  )
    .addOption(jsonFlag('print the checks as JSON'))
    .action(async (flags: ProviderFlags & { config?: string; json?: boolean }) => {
      const config = resolveConfig({
        configFile: flags.config,
        flags: { providers: providersFromFlags(flags) },
      });
      const checks = await checkProviders(config.providers);
      process.stdout.write(
        flags.json
          ? `${JSON.stringify(checks)}\n`
          : `${formatTable(
              [
                'kind',
                { header: 'provider', align: 'left' },
                { header: 'result', align: 'left' },
                { header: 'detail', align: 'left' },
              ],
              checks.map((c) => [c.kind, c.provider, c.status.toUpperCase(), c.detail]),
            )}\n`,
      );
      if (checks.some((c) => c.status === 'fail')) process.exitCode = 1;
    });
}

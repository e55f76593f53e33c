import { ConfigError } from './config-error.js';
import type { Config } from './schema.js';

/** What the gateway was built with: the names a configuration may use. */
export interface ConfigParts {
  /** Language settings a printer may take (every built language, and auto). */
  languages: readonly string[];
  /** Device URI schemes some transport serves. */
  schemes: readonly string[];
  /** Printer profile ids. */
  profiles: readonly string[];
}

function scheme(uri: string): string {
  return /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase() ?? '';
}

/**
 * The checks the schema cannot make because they depend on what was built: languages, URI
 * schemes, profiles. `serve`, `config check` and `doctor` share them, so what one accepts the
 * others accept too. Throws ConfigError (exit 78) naming every problem.
 */
export function checkConfigParts(config: Readonly<Config>, parts: ConfigParts): void {
  const problems: string[] = [];
  config.printers.forEach((printer, index) => {
    const at = `printers.${index}`;
    if (!parts.languages.includes(printer.language)) {
      problems.push(`${at}.language: unknown language "${printer.language}" (known: ${parts.languages.join(', ')})`);
    }
    if (!parts.schemes.includes(scheme(printer.uri))) {
      problems.push(`${at}.uri: no transport serves "${scheme(printer.uri)}:" URIs (supported: ${parts.schemes.join(', ')})`);
    }
    if (printer.profile !== undefined && !parts.profiles.includes(printer.profile)) {
      problems.push(`${at}.profile: unknown profile "${printer.profile}" (known: ${parts.profiles.join(', ')})`);
    }
  });
  if (problems.length > 0) throw new ConfigError('invalid configuration', problems);
}

/** A configuration problem. The CLI exits with 78 (EX_CONFIG) so systemd does not restart-loop. */
export class ConfigError extends Error {
  static readonly EXIT_CODE = 78;
  constructor(
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super(problems.length > 0 ? `${message}:\n  ${problems.join('\n  ')}` : message);
    this.name = 'ConfigError';
  }
}

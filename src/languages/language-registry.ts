import type { Language, PrinterProfile, TransportFactory } from '../driver-api/index.js';
import { AppError } from '../errors/app-error.js';

/** What `language: auto` falls back to when neither the profile nor the transport names one. */
export const FALLBACK_LANGUAGE = 'escpos';

/** The scheme of a device URI (`socket://…` → socket), or '' when there is none. */
export function uriScheme(uri: string): string {
  return /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase() ?? '';
}

/**
 * Every printer language the gateway was built with, as data: its name, the media type it sends,
 * the content types it accepts, its status query and preview. `language: auto` resolves here:
 * the printer's profile names its language, else its transport does (ipp → pdf, cloudprnt →
 * starprnt), else escpos. The config's language names, webhooks' RequestedMediaType and the
 * printers' resolved language all come from this one table.
 */
export class LanguageRegistry {
  private readonly byName: ReadonlyMap<string, Language>;
  private readonly defaultsByScheme: ReadonlyMap<string, string>;

  constructor(languages: readonly Language[], transports: readonly TransportFactory[]) {
    this.byName = new Map(languages.map((language) => [language.name, language]));
    this.defaultsByScheme = new Map(
      transports.flatMap((factory) => (factory.defaultLanguage ? factory.schemes.map((scheme) => [scheme, factory.defaultLanguage!] as const) : [])),
    );
  }

  /** Names a printer's `language` may take: every built language, and `auto`. */
  settings(): string[] {
    return [...this.byName.keys(), 'auto'];
  }

  get(name: string): Language | undefined {
    return this.byName.get(name);
  }

  /** The language a printer speaks; UNSUPPORTED_URI when the gateway was not built with it. */
  forPrinter(printer: { id: string; language: string }): Language {
    const language = this.byName.get(printer.language);
    if (!language) throw new AppError('UNSUPPORTED_URI', `printer ${printer.id}: language "${printer.language}" is not built into this gateway`);
    return language;
  }

  /** The language a printer with this setting, profile and URI speaks (its name). */
  resolve(setting: string, profile: Pick<PrinterProfile, 'language'>, uri: string): string {
    if (setting !== 'auto') return setting;
    return profile.language ?? this.defaultsByScheme.get(uriScheme(uri)) ?? FALLBACK_LANGUAGE;
  }

  /** What a language sends to the printer, as a media type (Star's RequestedMediaType). */
  documentFormat(name: string): string {
    return this.byName.get(name)?.documentFormat ?? 'application/octet-stream';
  }
}

/** The job as the client sent it, for media types a CloudPRNT printer renders itself. */
export interface SourceDocument {
  contentType: string;
  body: Uint8Array;
  /** True when the job asks for nothing the document alone cannot carry (one copy, no buzzer, no drawer). */
  plain: boolean;
}

/** Document types a CloudPRNT printer prints by itself, offered as they are. */
const PASSTHROUGH = ['text/plain', 'image/png', 'image/jpeg'];

/**
 * The media types offered to the printer, in preference order, with their bytes: the job rendered
 * in the printer's language first (it carries copies, buzzer, drawer and the printer's code pages),
 * then the original document when the printer can print it itself and nothing would be lost. Types
 * the printer said it accepts (`Encodings`) go before those it did not mention.
 */
export function mediaOffers(
  rendered: { mediaType: string; bytes: Uint8Array },
  source: SourceDocument | null,
  accepts: readonly string[] | null,
): Map<string, Uint8Array> {
  const offers: [string, Uint8Array][] = [[rendered.mediaType.toLowerCase(), rendered.bytes]];
  const type = source?.contentType.toLowerCase();
  if (source?.plain && type && PASSTHROUGH.includes(type) && type !== offers[0]?.[0]) offers.push([type, source.body]);
  if (accepts) offers.sort(([a], [b]) => Number(!accepts.includes(a)) - Number(!accepts.includes(b)));
  return new Map(offers);
}

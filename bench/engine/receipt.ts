/**
 * The small receipt of issue 11's measurements: 218 bytes of UTF-8 text (accents, €, ß — so the
 * ESC/POS renderer picks code pages), ending in a line every job carries once, by which the sinks
 * count receipts whether they come one per connection or many on one.
 */
export const RECEIPT = [
  'CAFÉ NORD',
  'Hauptstraße 1, Berlin',
  '',
  'Espresso              2,80 €',
  'Croissant             3,10 €',
  'Milchkaffee           3,90 €',
  '----------------------------',
  'Summe                 9,80 €',
  '',
  'Danke für Ihren Besuch! :-)',
  '',
].join('\n');

export const RECEIPT_BYTES = Buffer.from(RECEIPT);

/** ASCII, once per receipt, unchanged by every language the bench uses (raw, escpos). */
export const RECEIPT_MARKER = Buffer.from('Ihren Besuch! :-)');

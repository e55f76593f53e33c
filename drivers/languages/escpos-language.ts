import { receiptLanguage } from './receipt-language.js';
import { escposStatusQuery } from '../status/escpos-status.js';

/**
 * ESC/POS (Epson and compatibles). Text is printed in the code page that holds each character
 * (CP437, CP858, CP866, Katakana, ...), switching per run; characters no page holds become "?".
 */
export const escposLanguage = { ...receiptLanguage({ name: 'escpos', encoding: 'esc-pos', documentFormat: 'application/vnd.escpos' }), statusQuery: escposStatusQuery };

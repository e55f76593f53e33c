import { receiptLanguage } from './receipt-language.js';
import { starStatusQuery } from '../status/star-status.js';

/** Star Line mode (older TSP/mC-Print firmware and emulation). */
export const starlineLanguage = { ...receiptLanguage({ name: 'starline', encoding: 'star-line', documentFormat: 'application/vnd.star.line' }), statusQuery: starStatusQuery };

import { receiptLanguage } from './receipt-language.js';

/** StarPRNT (Star TSP100IV, TSP143IV, mC-Print3 in StarPRNT mode). */
export const starprntLanguage = receiptLanguage({ name: 'starprnt', encoding: 'star-prnt', documentFormat: 'application/vnd.star.starprnt' });

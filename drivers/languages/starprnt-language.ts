import { receiptLanguage } from './receipt-language.js';
import { starStatusQuery } from '../status/star-status.js';

/** StarPRNT (Star TSP100IV, TSP143IV, mC-Print3 in StarPRNT mode). */
export const starprntLanguage = { ...receiptLanguage({ name: 'starprnt', encoding: 'star-prnt', documentFormat: 'application/vnd.star.starprnt' }), statusQuery: starStatusQuery };

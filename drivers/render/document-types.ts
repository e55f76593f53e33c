/** What a receipt language renders (its own bytes and application/octet-stream pass through besides). */
export const DOCUMENT_TYPES = ['text/plain', 'text/vnd.star.markup', 'text/html', 'image/png', 'image/jpeg', 'application/pdf', 'image/pwg-raster', 'image/urf'] as const;

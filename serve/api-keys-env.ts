/**
 * The environment variable that holds `sprint serve`'s bearer keys. Its own module (no imports), so
 * `sprint --help` can name it without loading node:crypto through serve/auth.ts.
 */
export const API_KEYS_ENV = 'SPRINT_API_KEYS';

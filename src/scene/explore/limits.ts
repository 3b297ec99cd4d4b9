/** How many variations one breed may ask for, and how far they move by default: no imports, so the option table can read them. */
export const BREED_LIMITS = { count: 64 } as const;
export const DEFAULT_STRENGTH = 0.3;

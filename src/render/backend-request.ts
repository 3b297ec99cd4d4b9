/** The values of `--backend`: what the user may ask for (backend-choice.ts decides what it means). */
export const BACKEND_REQUESTS = ['cpu', 'gpu', 'auto'] as const;
export type BackendRequest = (typeof BACKEND_REQUESTS)[number];

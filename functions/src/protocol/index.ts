/**
 * Parley's protocol: the types, constants and codes that the functions, the
 * web client and the tests must agree on. Dependency-free; imported by the
 * web client and the tests as `@parley/functions/protocol` (functions/
 * package.json "exports"), and by the functions by relative path. It lives
 * inside functions/ because `firebase deploy` uploads only that folder.
 */
export * from './calls.js';
export * from './moderation.js';
export * from './refusals.js';
export * from './room-counts.js';
export * from './rooms.js';
export * from './turn.js';

/** Region of every function; the web client calls the same one. */
export const REGION = 'us-central1';

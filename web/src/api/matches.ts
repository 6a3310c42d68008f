import { api, call, pageQuery, upload } from './client';
import type { Match, PageParams } from './types';

export { listMyMatches } from './me';
export { listEventMatches } from './events';

const match = (matchId: string) => ({ params: { path: { matchId } } });

export const acceptMatch = (matchId: string) => call(api.POST('/api/v1/matches/{matchId}/accept', match(matchId)));
export const declineMatch = (matchId: string) => call(api.POST('/api/v1/matches/{matchId}/decline', match(matchId)));
/** Marks the other participant's art as received. */
export const completeMatch = (matchId: string) => call(api.POST('/api/v1/matches/{matchId}/complete', match(matchId)));

/** The conversation of a match, newest first (participants only). */
export const listMessages = (matchId: string, p?: PageParams) =>
  call(api.GET('/api/v1/matches/{matchId}/messages', { params: { path: { matchId }, query: pageQuery(p) } }));
export const postMessage = (matchId: string, text: string) =>
  call(api.POST('/api/v1/matches/{matchId}/messages', { ...match(matchId), body: { text } }));
/** Delivers (or replaces) the caller's piece: multipart title, description?, image. */
export const deliver = (matchId: string, form: FormData, onProgress?: (fraction: number) => void) =>
  upload<Match>(`/api/v1/matches/${encodeURIComponent(matchId)}/delivery`, form, onProgress, undefined, 'PUT');
/** The event's trade gallery: COMPLETED matches with their deliveries, newest completed first. */
export const listTrades = (eventId: string, p?: PageParams) =>
  call(api.GET('/api/v1/events/{eventId}/trades', { params: { path: { eventId }, query: pageQuery(p) } }));

import { api, apiUrl, call, pageQuery, upload } from './client';
import type { Artwork, EventUpdate, PageParams, Phase } from './types';

export { createEvent, listEvents } from './groups';

const event = (eventId: string) => ({ params: { path: { eventId } } });
const eventPage = (eventId: string, p?: PageParams) => ({ params: { path: { eventId }, query: pageQuery(p) } });

export const getEvent = (eventId: string) => call(api.GET('/api/v1/events/{eventId}', event(eventId)));
export const updateEvent = (eventId: string, body: EventUpdate) => call(api.PATCH('/api/v1/events/{eventId}', { ...event(eventId), body }));
export const advanceEvent = (eventId: string, to: Phase) =>
  call(api.POST('/api/v1/events/{eventId}/advance', { ...event(eventId), body: { to } }));

export const listArtworks = (eventId: string, p?: PageParams & { sort?: 'new' | 'votes' }) =>
  call(api.GET('/api/v1/events/{eventId}/artworks', { params: { path: { eventId }, query: { ...pageQuery(p), sort: p?.sort } } }));

export interface ArtworkSubmission {
  title: string;
  description?: string;
  image: File;
}

/** Uploads an artwork; `onProgress` gets the uploaded fraction 0–1. */
export function submitArtwork(eventId: string, a: ArtworkSubmission, onProgress?: (f: number) => void, signal?: AbortSignal) {
  const form = new FormData();
  form.set('title', a.title);
  if (a.description) form.set('description', a.description);
  form.set('image', a.image, a.image.name);
  return upload<Artwork>(apiUrl('/api/v1/events/{eventId}/artworks', { eventId }), form, onProgress, signal);
}

export const listResults = (eventId: string, p?: PageParams) => call(api.GET('/api/v1/events/{eventId}/results', eventPage(eventId, p)));
export const listMyLikes = (eventId: string, p?: PageParams) => call(api.GET('/api/v1/events/{eventId}/likes', eventPage(eventId, p)));
/** Why the caller has no match in the event (reason and message are null when they have one). */
export const getNoMatch = (eventId: string) => call(api.GET('/api/v1/events/{eventId}/no-match', event(eventId)));
export const listEventMatches = (eventId: string, p?: PageParams) =>
  call(api.GET('/api/v1/events/{eventId}/matches', eventPage(eventId, p)));

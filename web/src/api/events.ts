import { apiUrl, get, pageQuery, patch, post, upload } from './client';
import type { Artwork, Event, EventUpdate, Like, Match, Page, PageParams, Phase, Result } from './types';

export { createEvent, listEvents } from './groups';

export const getEvent = (eventId: string) => get<Event>(apiUrl('/api/v1/events/{eventId}', { eventId }));
export const updateEvent = (eventId: string, body: EventUpdate) => patch<Event>(apiUrl('/api/v1/events/{eventId}', { eventId }), body);
export const advanceEvent = (eventId: string, to: Phase) => post<Event>(apiUrl('/api/v1/events/{eventId}/advance', { eventId }), { to });

export const listArtworks = (eventId: string, p?: PageParams & { sort?: 'new' | 'votes' }) =>
  get<Page<Artwork>>(apiUrl('/api/v1/events/{eventId}/artworks', { eventId }, pageQuery(p, { sort: p?.sort })));

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

export const listResults = (eventId: string, p?: PageParams) =>
  get<Page<Result>>(apiUrl('/api/v1/events/{eventId}/results', { eventId }, pageQuery(p)));
export const listMyLikes = (eventId: string, p?: PageParams) =>
  get<Page<Like>>(apiUrl('/api/v1/events/{eventId}/likes', { eventId }, pageQuery(p)));
export const listEventMatches = (eventId: string, p?: PageParams) =>
  get<Page<Match>>(apiUrl('/api/v1/events/{eventId}/matches', { eventId }, pageQuery(p)));

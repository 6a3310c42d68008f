import { api, call } from './client';
import type { ArtworkUpdate } from './types';

export { listArtworks, submitArtwork } from './events';

const artwork = (artworkId: string) => ({ params: { path: { artworkId } } });

export const getArtwork = (artworkId: string) => call(api.GET('/api/v1/artworks/{artworkId}', artwork(artworkId)));
export const updateArtwork = (artworkId: string, body: ArtworkUpdate) =>
  call(api.PATCH('/api/v1/artworks/{artworkId}', { ...artwork(artworkId), body }));
export const deleteArtwork = (artworkId: string) => call(api.DELETE('/api/v1/artworks/{artworkId}', artwork(artworkId)));

export const vote = (artworkId: string) => call(api.PUT('/api/v1/artworks/{artworkId}/vote', artwork(artworkId)));
export const unvote = (artworkId: string) => call(api.DELETE('/api/v1/artworks/{artworkId}/vote', artwork(artworkId)));

export const like = (artworkId: string, rank: number | null) =>
  call(api.PUT('/api/v1/artworks/{artworkId}/like', { ...artwork(artworkId), body: { rank } }));
export const unlike = (artworkId: string) => call(api.DELETE('/api/v1/artworks/{artworkId}/like', artwork(artworkId)));

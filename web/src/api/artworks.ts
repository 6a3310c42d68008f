import { apiUrl, del, get, patch, put } from './client';
import type { Artwork, ArtworkUpdate, Like, VoteStatus } from './types';

export { listArtworks, submitArtwork } from './events';

export const getArtwork = (artworkId: string) => get<Artwork>(apiUrl('/api/v1/artworks/{artworkId}', { artworkId }));
export const updateArtwork = (artworkId: string, body: ArtworkUpdate) =>
  patch<Artwork>(apiUrl('/api/v1/artworks/{artworkId}', { artworkId }), body);
export const deleteArtwork = (artworkId: string) => del<void>(apiUrl('/api/v1/artworks/{artworkId}', { artworkId }));

export const vote = (artworkId: string) => put<VoteStatus>(apiUrl('/api/v1/artworks/{artworkId}/vote', { artworkId }));
export const unvote = (artworkId: string) => del<VoteStatus>(apiUrl('/api/v1/artworks/{artworkId}/vote', { artworkId }));

export const like = (artworkId: string, rank: number | null) =>
  put<Like>(apiUrl('/api/v1/artworks/{artworkId}/like', { artworkId }), { rank });
export const unlike = (artworkId: string) => del<void>(apiUrl('/api/v1/artworks/{artworkId}/like', { artworkId }));

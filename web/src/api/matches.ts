import { apiUrl, post } from './client';
import type { Match } from './types';

export { listMyMatches } from './me';
export { listEventMatches } from './events';

export const acceptMatch = (matchId: string) => post<Match>(apiUrl('/api/v1/matches/{matchId}/accept', { matchId }));
export const declineMatch = (matchId: string) => post<Match>(apiUrl('/api/v1/matches/{matchId}/decline', { matchId }));
/** Marks the other participant's art as received. */
export const completeMatch = (matchId: string) => post<Match>(apiUrl('/api/v1/matches/{matchId}/complete', { matchId }));

import { api, call } from './client';

export { listMyMatches } from './me';
export { listEventMatches } from './events';

const match = (matchId: string) => ({ params: { path: { matchId } } });

export const acceptMatch = (matchId: string) => call(api.POST('/api/v1/matches/{matchId}/accept', match(matchId)));
export const declineMatch = (matchId: string) => call(api.POST('/api/v1/matches/{matchId}/decline', match(matchId)));
/** Marks the other participant's art as received. */
export const completeMatch = (matchId: string) => call(api.POST('/api/v1/matches/{matchId}/complete', match(matchId)));

import { api, call } from './client';

export const getUser = (username: string) => call(api.GET('/api/v1/users/{username}', { params: { path: { username } } }));

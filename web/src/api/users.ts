import { apiUrl, get } from './client';
import type { UserProfile } from './types';

export const getUser = (username: string) => get<UserProfile>(apiUrl('/api/v1/users/{username}', { username }));

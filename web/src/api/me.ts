import { apiUrl, get, pageQuery, patch, post } from './client';
import type { Invitation, Match, NotificationSettings, NotificationSettingsUpdate, Page, PageParams, ProfileUpdate, User } from './types';

/** The caller, or an ApiError 401 when not logged in (no global 401 handling). */
export const getMe = () => get<User>(apiUrl('/api/v1/me'), { quiet401: true });

export const updateMe = (body: ProfileUpdate) => patch<User>(apiUrl('/api/v1/me'), body);

export const changePassword = (currentPassword: string, newPassword: string) =>
  post<void>(apiUrl('/api/v1/me/password'), { currentPassword, newPassword });

export const listMyInvitations = (p?: PageParams) =>
  get<Page<Invitation>>(apiUrl('/api/v1/me/invitations', undefined, pageQuery(p)));

export const listMyMatches = (p?: PageParams) => get<Page<Match>>(apiUrl('/api/v1/me/matches', undefined, pageQuery(p)));

export const getNotificationSettings = () => get<NotificationSettings>(apiUrl('/api/v1/me/notification-settings'));

export const updateNotificationSettings = (body: NotificationSettingsUpdate) =>
  patch<NotificationSettings>(apiUrl('/api/v1/me/notification-settings'), body);

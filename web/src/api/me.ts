import { api, call, pageQuery } from './client';
import type { NotificationSettingsUpdate, PageParams, ProfileUpdate } from './types';

/** The caller, or an ApiError 401 when not logged in (no global 401 handling). */
export const getMe = () => call(api.GET('/api/v1/me'), { quiet401: true });

export const updateMe = (body: ProfileUpdate) => call(api.PATCH('/api/v1/me', { body }));

export const changePassword = (currentPassword: string, newPassword: string) =>
  call(api.POST('/api/v1/me/password', { body: { currentPassword, newPassword } }));

/** Deletes the caller's account (the password confirms it); every session ends. */
export const deleteMe = (password: string) => call(api.DELETE('/api/v1/me', { body: { password } }));

/** The URL of the caller's data as a ZIP file (a plain link downloads it with the session cookie). */
export const exportUrl = '/api/v1/me/export';

export const listMyInvitations = (p?: PageParams) => call(api.GET('/api/v1/me/invitations', { params: { query: pageQuery(p) } }));

export const listMyMatches = (p?: PageParams) => call(api.GET('/api/v1/me/matches', { params: { query: pageQuery(p) } }));

export const getNotificationSettings = () => call(api.GET('/api/v1/me/notification-settings'));

export const updateNotificationSettings = (body: NotificationSettingsUpdate) =>
  call(api.PATCH('/api/v1/me/notification-settings', { body }));

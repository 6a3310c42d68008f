import { api, call } from './client';
import type { RegisterRequest } from './types';

export const register = (body: RegisterRequest) => call(api.POST('/api/v1/auth/register', { body }));

export const verifyEmail = (token: string) => call(api.POST('/api/v1/auth/verify-email', { body: { token } }));

export const resendVerification = (email: string) => call(api.POST('/api/v1/auth/resend-verification', { body: { email } }));

export const login = (login: string, password: string) =>
  call(api.POST('/api/v1/auth/login', { body: { login, password } }), { quiet401: true });

export const logout = () => call(api.POST('/api/v1/auth/logout'), { quiet401: true });

/** `login` is a username or an email, as login takes it. */
export const requestPasswordReset = (login: string) =>
  call(api.POST('/api/v1/auth/password-reset/request', { body: { login } }));

export const confirmPasswordReset = (token: string, password: string) =>
  call(api.POST('/api/v1/auth/password-reset/confirm', { body: { token, password } }));

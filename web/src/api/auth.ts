import { apiUrl, post } from './client';
import type { LoginResponse, RegisterRequest, User } from './types';

export const register = (body: RegisterRequest) => post<User>(apiUrl('/api/v1/auth/register'), body);

export const verifyEmail = (token: string) => post<User>(apiUrl('/api/v1/auth/verify-email'), { token });

export const resendVerification = (email: string) => post<void>(apiUrl('/api/v1/auth/resend-verification'), { email });

export const login = (login: string, password: string) =>
  post<LoginResponse>(apiUrl('/api/v1/auth/login'), { login, password }, { quiet401: true });

export const logout = () => post<void>(apiUrl('/api/v1/auth/logout'), undefined, { quiet401: true });

export const requestPasswordReset = (email: string) => post<void>(apiUrl('/api/v1/auth/password-reset/request'), { email });

export const confirmPasswordReset = (token: string, password: string) =>
  post<void>(apiUrl('/api/v1/auth/password-reset/confirm'), { token, password });

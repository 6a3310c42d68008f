import { apiUrl, del, post } from './client';
import type { Group } from './types';

export { listMyInvitations } from './me';
export { createInvitation, listGroupInvitations } from './groups';

export const acceptInvitation = (invitationId: string) =>
  post<Group>(apiUrl('/api/v1/invitations/{invitationId}/accept', { invitationId }));
export const declineInvitation = (invitationId: string) =>
  post<void>(apiUrl('/api/v1/invitations/{invitationId}/decline', { invitationId }));
export const revokeInvitation = (invitationId: string) =>
  del<void>(apiUrl('/api/v1/invitations/{invitationId}', { invitationId }));

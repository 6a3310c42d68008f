import { api, call } from './client';

export { listMyInvitations } from './me';
export { createInvitation, listGroupInvitations } from './groups';

const invitation = (invitationId: string) => ({ params: { path: { invitationId } } });

export const acceptInvitation = (invitationId: string) =>
  call(api.POST('/api/v1/invitations/{invitationId}/accept', invitation(invitationId)));
export const declineInvitation = (invitationId: string) =>
  call(api.POST('/api/v1/invitations/{invitationId}/decline', invitation(invitationId)));
export const revokeInvitation = (invitationId: string) =>
  call(api.DELETE('/api/v1/invitations/{invitationId}', invitation(invitationId)));

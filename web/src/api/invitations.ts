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
/** What the link in an invitation's email shows before logging in: its token is the only authority. */
export const previewInvitation = (token: string) => call(api.GET('/api/v1/invitations/preview', { params: { query: { token } } }));

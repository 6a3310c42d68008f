import { api, call, pageQuery } from './client';
import type { EventCreate, GroupCreate, GroupUpdate, InvitationCreate, PageParams } from './types';

const group = (groupId: string) => ({ params: { path: { groupId } } });
const groupPage = (groupId: string, p?: PageParams) => ({ params: { path: { groupId }, query: pageQuery(p) } });

export const listGroups = (p?: PageParams) => call(api.GET('/api/v1/groups', { params: { query: pageQuery(p) } }));
export const createGroup = (body: GroupCreate) => call(api.POST('/api/v1/groups', { body }));
export const getGroup = (groupId: string) => call(api.GET('/api/v1/groups/{groupId}', group(groupId)));
export const updateGroup = (groupId: string, body: GroupUpdate) => call(api.PATCH('/api/v1/groups/{groupId}', { ...group(groupId), body }));
export const deleteGroup = (groupId: string) => call(api.DELETE('/api/v1/groups/{groupId}', group(groupId)));

export const listMembers = (groupId: string, p?: PageParams) =>
  call(api.GET('/api/v1/groups/{groupId}/members', groupPage(groupId, p)));
export const setMemberRole = (groupId: string, userId: string, role: 'admin' | 'member') =>
  call(api.PATCH('/api/v1/groups/{groupId}/members/{userId}', { params: { path: { groupId, userId } }, body: { role } }));
/** Removes a member (admin) or, with the caller's own id, leaves the group. */
export const removeMember = (groupId: string, userId: string) =>
  call(api.DELETE('/api/v1/groups/{groupId}/members/{userId}', { params: { path: { groupId, userId } } }));

/** The owner hands the group to another member (who becomes owner; the caller becomes admin). */
export const transferGroup = (groupId: string, userId: string) =>
  call(api.POST('/api/v1/groups/{groupId}/transfer', { ...group(groupId), body: { userId } }));

export const listGroupInvitations = (groupId: string, p?: PageParams) =>
  call(api.GET('/api/v1/groups/{groupId}/invitations', groupPage(groupId, p)));
export const createInvitation = (groupId: string, body: InvitationCreate) =>
  call(api.POST('/api/v1/groups/{groupId}/invitations', { ...group(groupId), body }));

export const listExclusions = (groupId: string, p?: PageParams) =>
  call(api.GET('/api/v1/groups/{groupId}/exclusions', groupPage(groupId, p)));
export const createExclusion = (groupId: string, userIds: [string, string]) =>
  call(api.POST('/api/v1/groups/{groupId}/exclusions', { ...group(groupId), body: { userIds } }));
export const deleteExclusion = (exclusionId: string) =>
  call(api.DELETE('/api/v1/exclusions/{exclusionId}', { params: { path: { exclusionId } } }));

export const listEvents = (groupId: string, p?: PageParams) => call(api.GET('/api/v1/groups/{groupId}/events', groupPage(groupId, p)));
export const createEvent = (groupId: string, body: EventCreate) =>
  call(api.POST('/api/v1/groups/{groupId}/events', { ...group(groupId), body }));

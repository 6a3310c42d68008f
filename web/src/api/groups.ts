import { apiUrl, del, get, pageQuery, patch, post } from './client';
import type { Event, EventCreate, Group, GroupCreate, GroupUpdate, Invitation, InvitationCreate, Member, Page, PageParams } from './types';

export const listGroups = (p?: PageParams) => get<Page<Group>>(apiUrl('/api/v1/groups', undefined, pageQuery(p)));
export const createGroup = (body: GroupCreate) => post<Group>(apiUrl('/api/v1/groups'), body);
export const getGroup = (groupId: string) => get<Group>(apiUrl('/api/v1/groups/{groupId}', { groupId }));
export const updateGroup = (groupId: string, body: GroupUpdate) => patch<Group>(apiUrl('/api/v1/groups/{groupId}', { groupId }), body);
export const deleteGroup = (groupId: string) => del<void>(apiUrl('/api/v1/groups/{groupId}', { groupId }));

export const listMembers = (groupId: string, p?: PageParams) =>
  get<Page<Member>>(apiUrl('/api/v1/groups/{groupId}/members', { groupId }, pageQuery(p)));
export const setMemberRole = (groupId: string, userId: string, role: 'admin' | 'member') =>
  patch<Member>(apiUrl('/api/v1/groups/{groupId}/members/{userId}', { groupId, userId }), { role });
/** Removes a member (admin) or, with the caller's own id, leaves the group. */
export const removeMember = (groupId: string, userId: string) =>
  del<void>(apiUrl('/api/v1/groups/{groupId}/members/{userId}', { groupId, userId }));

export const listGroupInvitations = (groupId: string, p?: PageParams) =>
  get<Page<Invitation>>(apiUrl('/api/v1/groups/{groupId}/invitations', { groupId }, pageQuery(p)));
export const createInvitation = (groupId: string, body: InvitationCreate) =>
  post<Invitation>(apiUrl('/api/v1/groups/{groupId}/invitations', { groupId }), body);

export const listEvents = (groupId: string, p?: PageParams) =>
  get<Page<Event>>(apiUrl('/api/v1/groups/{groupId}/events', { groupId }, pageQuery(p)));
export const createEvent = (groupId: string, body: EventCreate) =>
  post<Event>(apiUrl('/api/v1/groups/{groupId}/events', { groupId }), body);

// Names for the schemas of docs/openapi.yaml (generated into schema.d.ts by `npm run gen`).
import type { components, paths } from './schema';

type S = components['schemas'];

export type ApiPaths = paths;
export type Id = S['Id'];
export type User = S['User'];
export type PublicUser = S['PublicUser'];
export type UserProfile = S['UserProfile'];
export type Profile = S['Profile'];
export type ProfileUpdate = S['ProfileUpdate'];
export type LoginResponse = S['LoginResponse'];
export type RegisterRequest = S['RegisterRequest'];
export type Role = S['Role'];
export type Group = S['Group'];
export type GroupCreate = S['GroupCreate'];
export type GroupUpdate = S['GroupUpdate'];
export type Member = S['Member'];
export type Invitation = S['Invitation'];
export type InvitationCreate = S['InvitationCreate'];
export type InvitationStatus = S['InvitationStatus'];
export type InvitationPreview = S['InvitationPreview'];
export type Phase = S['Phase'];
export type Event = S['Event'];
export type EventCreate = S['EventCreate'];
export type EventUpdate = S['EventUpdate'];
export type Artwork = S['Artwork'];
export type ArtworkUpdate = S['ArtworkUpdate'];
export type VoteStatus = S['VoteStatus'];
export type Like = S['Like'];
export type Result = S['Result'];
export type Match = S['Match'];
export type Exclusion = S['Exclusion'];
export type NoMatch = S['NoMatch'];
export type MatchStatus = S['MatchStatus'];
export type MatchParticipant = S['MatchParticipant'];
export type MatchMessage = S['MatchMessage'];
export type Delivery = S['Delivery'];
export type Notification = S['Notification'];
export type NotificationType = S['NotificationType'];
export type NotificationPage = S['NotificationPage'];
export type NotificationSettings = S['NotificationSettings'];
export type NotificationSettingsUpdate = S['NotificationSettingsUpdate'];
export type Problem = S['Problem'];
export type FieldError = S['FieldError'];

/** Every collection is answered as `{items, nextCursor}`. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageParams {
  limit?: number;
  cursor?: string | null;
}

export const PHASES: readonly Phase[] = ['OPEN', 'VOTING', 'MATCHING', 'CLOSED'];

export function nextPhase(p: Phase): Phase | null {
  const i = PHASES.indexOf(p);
  return i >= 0 && i < PHASES.length - 1 ? PHASES[i + 1] : null;
}

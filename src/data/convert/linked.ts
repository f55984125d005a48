import { z } from 'zod';

/** A CFCRS "linked" ReDial dialogue (data README §5.3): raw ReDial fields plus merged, annotated turns. */
export const LinkedRedialMessageSchema = z.looseObject({
  senderWorkerId: z.number().int(),
  text: z.string(),
  turn_id: z.number().int().optional(),
  entity: z.array(z.string()),
  item: z.array(z.string()),
  masked_text: z.string(),
});
export const LinkedRedialDialogSchema = z.looseObject({
  conversationId: z.union([z.string(), z.number()]),
  movieMentions: z.union([z.record(z.string(), z.string().nullable()), z.array(z.unknown())]),
  respondentWorkerId: z.number().int(),
  initiatorWorkerId: z.number().int(),
  messages: z.array(LinkedRedialMessageSchema),
});
export type LinkedRedialDialog = z.output<typeof LinkedRedialDialogSchema>;
export type LinkedRedialMessage = z.output<typeof LinkedRedialMessageSchema>;

/** A CFCRS "linked" INSPIRED dialogue (data README §5.3). */
export const LinkedInspiredTurnSchema = z.looseObject({
  role: z.enum(['RECOMMENDER', 'SEEKER']),
  text: z.string(),
  text_template: z.string(),
  entity: z.array(z.string()),
  movie: z.array(z.string()),
});
export const LinkedInspiredDialogSchema = z.looseObject({
  dialog_id: z.string(),
  dialog: z.array(LinkedInspiredTurnSchema),
});
export type LinkedInspiredDialog = z.output<typeof LinkedInspiredDialogSchema>;
export type LinkedInspiredTurn = z.output<typeof LinkedInspiredTurnSchema>;

/** Which of the two linked formats a file holds. */
export type LinkedFormat = 'redial' | 'inspired';

import { DOMAINS, type Domain } from '../state/sessions.js';
import type { DomainChoice } from './route.js';

export type QuestionName = 'goal' | 'domain' | 'scope' | 'guard';

/** One setup question, flat enough for a form field (string or a choice of strings) or a line in chat. */
export interface SetupQuestion {
  name: QuestionName;
  question: string;
  options?: readonly string[];
  /** What the session uses if nobody answers. */
  suggested?: string;
}

export type Answers = Partial<Record<QuestionName, string>>;

/**
 * Put the questions to the user in one batch. Answers when the user filled the
 * form (fields left empty are absent); undefined when the questions could not
 * be asked here (no form support) or the user declined.
 */
export type AskUser = (message: string, questions: SetupQuestion[]) => Promise<Answers | undefined>;

/** The most questions a batch holds: more and people stop reading. */
export const MAX_QUESTIONS = 4;

export const QUESTIONS_MESSAGE =
  'A few choices before the optimization session starts. Leave a field empty to let codeflash decide from the signals it has.';

/**
 * What session_start still needs to know: the goal when none was given, the
 * domain when the goal named none or several, the guard when none is set, and
 * (asked alongside, never alone) the scope.
 */
export function openQuestions(known: {
  goal?: string;
  domain: DomainChoice;
  scope?: string;
  guard?: string;
  testCommand?: string;
}): SetupQuestion[] {
  const questions: SetupQuestion[] = [];
  if (!known.goal?.trim()) {
    questions.push({ name: 'goal', question: 'What should get faster or smaller, in your words (e.g. "cut p50 of /process")?' });
  }
  if (known.domain.source === 'default' || known.domain.ambiguous) {
    questions.push({
      name: 'domain',
      question: `Which kind of cost to work on? (${known.domain.reason})`,
      options: DOMAINS,
      suggested: known.domain.domain,
    });
  }
  if (!known.guard) {
    questions.push({
      name: 'guard',
      question: 'Which command must keep passing after every change (the guard)?',
      suggested: known.testCommand,
    });
  }
  if (questions.length > 0 && !known.scope) {
    questions.push({ name: 'scope', question: 'Which code is in scope: a path or module (empty: the whole project)?' });
  }
  return questions.slice(0, MAX_QUESTIONS);
}

export function isDomain(value: string | undefined): value is Domain {
  return (DOMAINS as readonly string[]).includes(value ?? '');
}

/** The choices the session made, and the questions still open, as a section of setup.md. */
export function choicesMarkdown(choices: string[], open: SetupQuestion[]): string {
  const lines = ['## Session choices', '', ...choices.map((c) => `- ${c}`)];
  if (open.length) lines.push('', 'Still open (to ask in chat):', ...open.map((q) => `- ${q.name}: ${q.question}`));
  return `${lines.join('\n')}\n`;
}

import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { RequestListener } from "node:http";
import {
  ActivityTypes, CardFactory, CloudAdapter, ConfigurationBotFrameworkAuthentication, TurnContext,
  type Activity, type Attachment, type ConversationReference,
} from "botbuilder";
import type { TeamsConfig } from "../../config/index.js";
import type { Question, Report } from "../../model/index.js";
import { memoryChatState, type ChatState } from "../../state/chat.js";
import type { Answerer, ChatHooks } from "../answerer.js";
import { failureCard, fixMessages, helpCard, reportCard } from "./card.js";
import type { ConversationStore } from "./conversations.js";
import { botRequest, botResponse } from "./http.js";

export interface TeamsSurface {
  adapter: CloudAdapter;
  /** For the shared HTTP server's POST /api/messages. */
  requestListener: RequestListener;
  /** Post into a conversation the bot was used in before (proactive messages). */
  post(conversationId: string, activity: Partial<Activity>): Promise<void>;
  /**
   * Incident summaries: a new post in a channel the bot has seen (its conversation id,
   * `19:…@thread.tacv2`), a reply in that post's thread, an edit of the post. The post's id is returned.
   */
  channel: {
    post(channelId: string, activity: Partial<Activity>): Promise<string>;
    reply(channelId: string, postId: string, activity: Partial<Activity>): Promise<void>;
    update(channelId: string, postId: string, activity: Partial<Activity>): Promise<void>;
  };
  /** True when Bot Framework authentication is off (no app id): local use only. */
  authDisabled: boolean;
  /** Wait for answers still in progress (on shutdown). */
  settle(): Promise<void>;
}

/**
 * The Teams bot: a channel message that @mentions it (or a personal chat message) is
 * answered in its thread with an Adaptive Card 1.5, the chart PNG beside it. botbuilder stays
 * in this folder (see README.md here): its successor keeps the same Activity/TurnContext model.
 */
export function createTeamsSurface(cfg: TeamsConfig, answer: Answerer, conversations: ConversationStore, hooks?: ChatHooks, memory: ChatState = memoryChatState()): TeamsSurface {
  const failed = (e: unknown) => {
    const status = (e as { statusCode?: number }).statusCode;
    if (status === 429) hooks?.rateLimited("teams");
    hooks?.apiError("teams", status ? String(status) : "request");
  };
  const adapter = new CloudAdapter(
    new ConfigurationBotFrameworkAuthentication({
      MicrosoftAppId: cfg.appId,
      MicrosoftAppPassword: cfg.appPassword,
      MicrosoftAppType: cfg.appType,
      ...(cfg.tenantId && { MicrosoftAppTenantId: cfg.tenantId }),
    }),
  );
  /** Answers still being worked on after their turn ended. */
  const pending = new Set<Promise<void>>();

  adapter.onTurnError = async (context, error) => {
    // The question could not be answered: say what failed, in the same thread.
    await context.sendActivity({ attachments: [CardFactory.adaptiveCard(failureCard(context.activity.text ?? "", message(error)))] });
  };

  async function turn(context: TurnContext): Promise<void> {
    const activity = context.activity;
    await conversations.save(TurnContext.getConversationReference(activity));
    if (activity.type !== ActivityTypes.Message) return;
    // The question without the bot's <at>name</at> (and any other mention markup).
    TurnContext.removeRecipientMention(activity);
    const text = (activity.text ?? "").replace(/<at>[^<]*<\/at>/g, "").trim();
    const key = activity.conversation.id;
    if (!text || /^(help|\?)$/i.test(text)) {
      await context.sendActivity({ attachments: [CardFactory.adaptiveCard(helpCard(answer.help))] });
      return;
    }
    await context.sendActivity({ type: ActivityTypes.Typing });
    const personal = activity.conversation.conversationType === "personal";
    const q = await answer.understand(text, await memory.thread(`teams:${key}`), { surface: "teams", channel: key, ...(activity.from?.id && { user: activity.from.id }), personal });
    // Another team's namespace: refused at once, nothing investigated.
    if (q.denied) {
      await context.sendActivity({ type: ActivityTypes.Message, text: q.denied, textFormat: "plain" });
      return;
    }
    if (q.intent === "help") {
      await context.sendActivity({ attachments: [CardFactory.adaptiveCard(helpCard(answer.help))] });
      return;
    }
    await memory.setThread(`teams:${key}`, q);
    // Answer after the turn: the Bot Connector gives up on a turn after about 15 s, and a
    // question over a remote workspace can take longer. The reply goes to the same thread.
    const ref = TurnContext.getConversationReference(activity) as ConversationReference;
    const reply = (body: Partial<Activity>) =>
      adapter.continueConversationAsync(cfg.appId, ref, async (ctx) => {
        // Reply to the question's message, not to the continuation event botbuilder creates.
        ctx.activity.id = activity.id;
        await ctx.sendActivity(body);
      });
    const job = (async () => {
      try {
        const report = await answer.investigate(q);
        const charts = await Promise.all(report.charts.map((c) => chartAttachment(c.file, c.title))).finally(() => answer.release?.(report));
        await reply({ attachments: [CardFactory.adaptiveCard(reportCard(report, { chartNote: charts.length > 0 })), ...charts], summary: report.summary.slice(0, 200) }).catch((e: unknown) => {
          failed(e);
          throw e;
        });
        // The checked fix of a policy drop, ready to apply, under the card (as Slack posts it in the thread).
        for (const fix of fixMessages(report)) await reply({ type: ActivityTypes.Message, text: fix, textFormat: "markdown" }).catch(failed);
      } catch (e) {
        // A failed question still gets a reply that says what failed.
        await reply({ attachments: [CardFactory.adaptiveCard(failureCard(text, message(e)))] }).catch((err: unknown) => {
          failed(err);
          process.stderr.write(`netrca: could not post the Teams reply: ${message(err)}\n`);
        });
      }
    })();
    pending.add(job);
    void job.finally(() => pending.delete(job));
  }

  /**
   * A channel's conversation reference, from any message the bot saw there (a thread in it
   * carries `;messageid=…`): the channel itself for a new post, or one post's thread.
   */
  async function channelRef(channelId: string, postId?: string): Promise<ConversationReference> {
    const seen = (await conversations.all()).find((r) => r.conversation?.id?.split(";")[0] === channelId);
    if (!seen) throw new TeamsChannelUnknown(`netrca has not seen the Teams channel ${channelId}: add the bot to the team and @mention it once in that channel`);
    return { ...seen, conversation: { ...seen.conversation!, id: postId ? `${channelId};messageid=${postId}` : channelId } } as ConversationReference;
  }

  return {
    adapter,
    authDisabled: !cfg.appId,
    settle: async () => {
      await Promise.allSettled([...pending]);
    },
    requestListener: (req, res) => {
      botRequest(req).then(
        (request) => adapter.process(request, botResponse(res), turn),
        (e: Error & { status?: number }) => {
          res.writeHead(e.status ?? 400, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: e.message }));
        },
      ).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(JSON.stringify({ error: message(e) }));
      });
    },
    channel: {
      // A new post (a thread of its own) is a new conversation in the channel; its id names the post.
      post: async (channelId, activity) => {
        const ref = await channelRef(channelId);
        let conversation = "";
        await adapter.createConversationAsync(cfg.appId, "msteams", ref.serviceUrl, BOT_AUDIENCE, {
          isGroup: true, bot: ref.bot, channelData: { channel: { id: channelId } }, activity: activity as Activity,
          ...(ref.conversation.tenantId && { tenantId: ref.conversation.tenantId }),
        }, async (ctx) => {
          conversation = ctx.activity.conversation.id;
        });
        const id = /;messageid=(.+)$/.exec(conversation)?.[1];
        if (!id) throw new Error(`Teams answered the new post with conversation "${conversation}", which names no message`);
        return id;
      },
      reply: async (channelId, postId, activity) => {
        await adapter.continueConversationAsync(cfg.appId, await channelRef(channelId, postId), async (ctx) => {
          // Into the thread itself, not as a reply to the continuation event botbuilder makes up.
          delete (ctx.activity as Partial<Activity>).id;
          await ctx.sendActivity(activity);
        });
      },
      update: async (channelId, postId, activity) => {
        await adapter.continueConversationAsync(cfg.appId, await channelRef(channelId, postId), async (ctx) => {
          await ctx.updateActivity({ ...activity, id: postId, type: ActivityTypes.Message });
        });
      },
    },
    post: async (conversationId, activity) => {
      const ref = await conversations.get(conversationId);
      if (!ref) throw new Error(`no conversation ${conversationId} on record: the bot must be used there first`);
      await adapter.continueConversationAsync(cfg.appId, ref as ConversationReference, async (ctx) => {
        await ctx.sendActivity(activity);
      });
    },
  };
}

/** Whom the Bot Connector's tokens are for (the public cloud). */
const BOT_AUDIENCE = "https://api.botframework.com";

/** A Teams channel the bot cannot post into: it was never added there (or never used there). */
export class TeamsChannelUnknown extends Error {
  override name = "TeamsChannelUnknown";
}

/** The chart as an inline image: base64 images do not count toward Teams' message size. */
async function chartAttachment(file: string, title: string): Promise<Attachment> {
  return { contentType: "image/png", contentUrl: `data:image/png;base64,${(await readFile(file)).toString("base64")}`, name: `${basename(file, ".png")}: ${title}`.slice(0, 200) };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message.split("\n")[0]! : String(e);
}

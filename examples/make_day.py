#!/usr/bin/env python3
"""Generate the example day of support traffic for `ticket-rules run`.

    python3 examples/make_day.py > examples/day.jsonl
    python3 examples/make_day.py --unlicensed > examples/unlicensed/events.jsonl
    python3 examples/make_day.py --index        # scenario index + expectations (stderr)

Stdlib only and deterministic (fixed random seed): the same script writes the same
bytes. The day is Tuesday 2026-11-24 (UTC), with the morning before (Monday 23rd,
from 08:00) and the morning after (Wednesday 25th, to 09:00) so that the WhatsApp
24-hour window can be seen opening and closing.

The script also contains a small *reference model* of the rules in
`rules/examples/` and of the WhatsApp guards (whatsapp.md, rules-semantics.md). It
replays the generated lines, checks every scripted expectation (a scenario that does
not produce what its comment says makes the script fail), and with `--index` prints
what `ticket-rules run --account examples/account.yaml --events examples/day.jsonl`
should show, line by line. The model is a helper for writing examples/README.md and for
checking the engine by eye; the spec, not this model, is the reference.
"""

import base64
import copy
import json
import random
import re
import sys
from datetime import datetime, timedelta, timezone

SEED = 20261124
UTC = timezone.utc


def t(day, hms):
    """2026-11-<day> at HH:MM[:SS] UTC."""
    parts = [int(p) for p in hms.split(":")]
    while len(parts) < 3:
        parts.append(0)
    return datetime(2026, 11, day, parts[0], parts[1], parts[2], tzinfo=UTC)


def iso(d):
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def unix(d):
    return int(d.timestamp())


END = t(25, "09:00")

# --------------------------------------------------------------------------------------
# Account (mirrors examples/account.yaml)
# --------------------------------------------------------------------------------------

TEMPLATES = {
    ("order_followup", "en_US"): 1,
    ("csat_survey", "ko_KR"): 0,
    ("delivery_update", "en_GB"): 2,
    ("payment_reminder", "en_US"): 2,
}
# (utc offset in hours in late November, weekly intervals Mon-Fri, holidays)
SCHEDULES = {
    "Support hours": (0, [("09:00", "12:30"), ("13:30", "17:30")], {"2026-12-25", "2026-12-28"}),
    "Seoul desk": (9, [("09:00", "12:00"), ("13:00", "18:00")], {"2026-12-25"}),
}
DEFAULT_SCHEDULE = "Support hours"
SOCIAL = {"whatsapp", "messenger", "instagram", "x", "line", "wechat", "telegram", "viber"}

AGENTS = {
    "ana": ("agent-ana", "Ana Ruiz"),
    "ben": ("agent-ben", "Ben Okafor"),
    "priya": ("agent-priya", "Priya Shah"),
    "olu": ("agent-olu", "Olu Adeyemi"),
    "kenji": ("agent-kenji", "Kenji Mori"),
    "bot": ("autoresponder", "Acme Bot"),
}

# --------------------------------------------------------------------------------------
# Building lines
# --------------------------------------------------------------------------------------

WABA_ID = "102290129340398"
METADATA = {"display_phone_number": "15550009999", "phone_number_id": "106540352242922"}


class Day:
    """Collects events; `lines()` sorts them by position time and assigns event ids."""

    def __init__(self, rng, id_prefix="ev-"):
        self.rng = rng
        self.items = []
        self.id_prefix = id_prefix

    def _add(self, pos, obj=None, raw=None, *, with_id=True, note="", **meta):
        item = {
            "pos": pos,
            "seq": len(self.items),
            "obj": obj,
            "raw": raw,
            "with_id": with_id,
            "note": note,
            "meta": meta,
        }
        self.items.append(item)
        return item

    # ---- wamids ------------------------------------------------------------------
    def wamid(self, phone, outbound):
        tail = "".join(self.rng.choice("0123456789ABCDEF") for _ in range(20))
        raw = (b"\x1c\x18" + bytes([len(phone)]) + phone.encode() + b"\x15\x02\x00"
               + (b"\x11" if outbound else b"\x12") + b"\x18\x14" + tail.encode())
        return "wamid." + base64.b64encode(raw).decode()

    # ---- native events -------------------------------------------------------------
    def native(self, typ, at, body, *, pos=None, with_id=True, note="", **meta):
        obj = {"type": typ, "id": None, "at": iso(at)}
        obj.update(body)
        return self._add(pos or at, obj, with_id=with_id, note=note, **meta)

    def created(self, at, ticket, **kw):
        return self.native("ticket.created", at, {"ticket": ticket}, **kw)

    def message(self, at, ticket, text, *, sent_at=None, channel=None, requester=None,
                attachments=None, forwarded=False, **kw):
        body = {"ticket": ticket}
        if channel:
            body["channel"] = channel
        if requester:
            body["requester"] = requester
        if sent_at:
            body["sent_at"] = iso(sent_at)
        body["text"] = text
        if attachments:
            body["attachments"] = attachments
        if forwarded:
            body["forwarded"] = True
        return self.native("message.received", at, body, **kw)

    def reply(self, at, ticket, agent, *, text=None, template=None, via="agent", public=True,
              wamid=None, changes=None, **kw):
        aid, name = AGENTS[agent]
        body = {"ticket": ticket, "author": {"id": aid, "name": name}, "via": via}
        if not public:
            body["public"] = False
        if text is not None:
            body["text"] = text
        if template is not None:
            name_, lang, params = template
            body["template"] = {"name": name_, "language": lang, "params": list(params)}
        if wamid:
            body["wamid"] = wamid
        if changes:
            body["changes"] = changes
        return self.native("agent.reply", at, body, **kw)

    def note(self, at, ticket, agent, text, **kw):
        return self.reply(at, ticket, agent, text=text, public=False, **kw)

    def update(self, at, ticket, by, changes, **kw):
        return self.native("ticket.updated", at, {"ticket": ticket, "by": by, "changes": changes}, **kw)

    def clock(self, at, **kw):
        return self._add(at, {"type": "clock", "at": iso(at)}, with_id=False, **kw)

    def raw(self, pos, text, **kw):
        return self._add(pos, None, raw=text, with_id=False, **kw)

    def blank(self, pos):
        return self._add(pos, None, raw="", with_id=False, blank=True)

    # ---- WhatsApp Cloud API webhook bodies -----------------------------------------
    @staticmethod
    def _payload(value):
        v = {"messaging_product": "whatsapp", "metadata": dict(METADATA)}
        v.update(value)
        return {"object": "whatsapp_business_account",
                "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": v}]}]}

    def wa_msg(self, sent, wa_id, kind="text", text=None, caption=None, forwarded=False, emoji=None,
               reply_to=None):
        item = {"from": wa_id, "id": self.wamid(wa_id, False), "timestamp": str(unix(sent)), "type": kind}
        if forwarded:
            item["context"] = {"forwarded": True}
        if kind == "text":
            item["text"] = {"body": text}
        elif kind == "image":
            img = {}
            if caption is not None:
                img["caption"] = caption
            img.update({"mime_type": "image/jpeg",
                        "sha256": "".join(self.rng.choice("0123456789abcdef") for _ in range(16)),
                        "id": str(self.rng.randrange(10**12, 10**13))})
            item["image"] = img
        elif kind == "reaction":
            item["reaction"] = {"message_id": reply_to, "emoji": emoji}
        return item

    def inbound(self, senders, items, *, pos=None, **meta):
        """A webhook with `messages`; senders: [(wa_id, profile name)]."""
        contacts = [{"profile": {"name": n}, "wa_id": w} for w, n in senders]
        obj = self._payload({"contacts": contacts, "messages": items})
        at = datetime.fromtimestamp(max(int(i["timestamp"]) for i in items), UTC)
        return self._add(pos or at, obj, with_id=False, **meta)

    def wa_text(self, sent, wa_id, name, text, *, pos=None, forwarded=False, **meta):
        return self.inbound([(wa_id, name)], [self.wa_msg(sent, wa_id, text=text, forwarded=forwarded)],
                            pos=pos, **meta)

    def wa_image(self, sent, wa_id, name, caption, **meta):
        return self.inbound([(wa_id, name)], [self.wa_msg(sent, wa_id, kind="image", caption=caption)], **meta)

    def wa_status(self, at, wamid, status, recipient, error=None, **meta):
        st = {"id": wamid, "status": status, "timestamp": str(unix(at)), "recipient_id": recipient}
        if error:
            st["errors"] = [error]
        obj = self._payload({"statuses": [st]})
        return self._add(at, obj, with_id=False, **meta)

    # ---- output ----------------------------------------------------------------------
    def lines(self):
        order = sorted(self.items, key=lambda i: (i["pos"], i["seq"]))
        counter = 0
        out = []
        for it in order:
            if it["meta"].get("dup_of") is not None:
                text = it["meta"]["dup_of"]["text"]
            elif it["raw"] is not None:
                text = it["raw"]
            else:
                obj = it["obj"]
                if "id" in obj:
                    if it["with_id"]:
                        counter += 1
                        obj["id"] = "%s%04d" % (self.id_prefix, counter)
                    else:
                        del obj["id"]
                text = json.dumps(obj, ensure_ascii=False)
            it["text"] = text
            out.append(it)
        return out


def failed_131047():
    return {"code": 131047, "title": "Re-engagement message", "message": "Re-engagement message",
            "error_data": {"details": "Message failed to send because more than 24 hours have passed "
                                      "since the customer last replied to this number."}}


def failed_131026():
    return {"code": 131026, "title": "Message undeliverable", "message": "Message undeliverable",
            "error_data": {"details": "Message could not be delivered to the recipient."}}


def person(pid, name, *, email=None, phone=None, opted_in=None, tags=None):
    r = {"id": pid, "name": name}
    if email:
        r["email"] = email
    if phone:
        r["phone"] = phone
    if opted_in is not None:
        r["opted_in"] = opted_in
    if tags:
        r["tags"] = tags
    return r


SHORTHAND_OK = ("&((namespace=[[acme_support]] template=[[order_followup]] fallback=[[Your quote is ready]] "
                "language=[[en_US]] body_text=[[Q-70045]]))&")
SHORTHAND_BAD = "&((namespace=[[acme_support]] template=[[order_followup]] body_text=[[70046]]"

# --------------------------------------------------------------------------------------
# The scripted scenarios. `expect=` is the delivery of the event's own outbound message
# (checked by the model); `label=` names the scenario for the index.
# --------------------------------------------------------------------------------------


def scripted(d):
    wam = d.wamid

    # S01 wa:15550100001 Maya Torres — window, nudge, 131047 failure, blocked reply,
    # reopen by a photo, template inside the window, reopen of a solved ticket.
    maya = ("15550100001", "Maya Torres")
    L = "S01 window life cycle (Maya)"
    d.wa_text(t(23, "08:05:12"), *maya, "Hi! My order 48213 arrived with a cracked screen. Can you help?", label=L)
    m1 = wam(maya[0], True)
    d.reply(t(23, "09:20"), "wa:15550100001", "ana",
            text="Sorry to hear that, Maya! Could you send us a photo of the screen? If it broke in transit we will replace it.",
            wamid=m1, changes={"status": "pending", "assignee": "Ana Ruiz"}, label=L, expect="delivered")
    d.wa_status(t(23, "09:20:03"), m1, "delivered", maya[0], label=L)
    d.wa_status(t(23, "09:31:40"), m1, "read", maya[0], label=L)
    m2 = wam(maya[0], True)
    d.reply(t(24, "08:04:30"), "wa:15550100001", "ana", text="Hi Maya, just checking whether you managed to take the photo?",
            wamid=m2, label=L + ": last reply the guard lets through", expect="delivered")
    d.wa_status(t(24, "08:05:40"), m2, "failed", maya[0], error=failed_131047(),
                label=L + ": WhatsApp reports 131047 for that reply")
    d.reply(t(24, "08:20"), "wa:15550100001", "ana", text="We can also arrange a courier pick-up if that is easier.",
            label=L + ": window closed at 08:05:12", expect="blocked:outside_24h_window")
    d.wa_image(t(24, "10:12:31"), *maya, "here is the photo of the screen", label=L + ": photo reopens the window and the ticket")
    m3 = wam(maya[0], True)
    d.reply(t(24, "10:25"), "wa:15550100001", "ana", template=("delivery_update", "en_GB", ["Maya", "48213"]),
            wamid=m3, label=L + ": template inside the window (no opt-in needed)", expect="delivered")
    d.wa_status(t(24, "10:25:02"), m3, "delivered", maya[0], label=L)
    d.reply(t(24, "10:31"), "wa:15550100001", "ana", text="Thanks Maya, a replacement for order 48213 ships today.",
            wamid=wam(maya[0], True), changes={"status": "solved"}, label=L, expect="delivered")
    d.wa_text(t(24, "15:10:09"), *maya, "One more question: does the warranty cover the charger too?",
              label=L + ": message on a solved ticket reopens it")
    d.reply(t(24, "15:40"), "wa:15550100001", "ana", text="Yes, the charger is covered for 12 months.",
            wamid=wam(maya[0], True), changes={"status": "solved"}, label=L, expect="delivered")

    # S02 T-2002 Leo Grant (opted in) — W2 boundary, suggestion automation, re-engagement
    # template sent by a trigger and delivered outside the window.
    L = "S02 exactly 24 hours (Leo, opted in)"
    leo = person("u-leo", "Leo Grant", phone="+15550100022", opted_in=True)
    d.message(t(23, "10:00"), "T-2002", "Hello, is the blue rain jacket back in stock in size M?",
              channel="whatsapp", requester=leo, label=L)
    d.reply(t(23, "10:40"), "T-2002", "ben", text="Not yet, Leo. We expect it tomorrow morning and I will message you as soon as it is in.",
            wamid=wam("15550100022", True), changes={"status": "pending", "assignee": "Ben Okafor"}, label=L, expect="delivered")
    d.reply(t(24, "09:59:59"), "T-2002", "ben", text="Good news: size M is back in stock!",
            wamid=wam("15550100022", True), label=L + ": one second before the window closes", expect="delivered")
    d.reply(t(24, "10:00:00"), "T-2002", "ben", text="Here is the link: https://shop.example.com/p/rain-jacket-blue",
            label=L + ": exactly 24h after the customer wrote", expect="blocked:outside_24h_window")
    d.update(t(24, "10:05"), "T-2002", "agent", {"add_tags": ["reengage"]},
             label=L + ": agent adds tag reengage -> template trigger")
    d.message(t(24, "10:41"), "T-2002", "Great, I just ordered it. Thanks!", sent_at=t(24, "10:40:52"), label=L)
    d.reply(t(24, "10:50"), "T-2002", "ben", text="Enjoy the jacket, Leo!", wamid=wam("15550100022", True),
            changes={"status": "solved"}, label=L, expect="delivered")

    # S03 T-2003 Sofia Marin — W1: a message sent at 08:40 reaches the helpdesk at 11:30.
    L = "S03 late delivery, window anchored at the send time (Sofia)"
    d.message(t(23, "11:30"), "T-2003", "Hi, I was charged twice for order 51877. Can you check?", sent_at=t(23, "08:40"),
              channel="whatsapp", requester=person("u-sofia", "Sofia Marin", phone="+15550100023"), label=L)
    d.reply(t(23, "11:45"), "T-2003", "priya", text="Hi Sofia, I am checking with our billing team and will get back to you.",
            wamid=wam("15550100023", True), changes={"status": "pending", "assignee": "Priya Shah"}, label=L, expect="delivered")
    d.note(t(24, "09:25"), "T-2003", "priya", "Bank confirmed the duplicate charge; money goes back today.",
           label=L + ": internal note", expect="recorded")
    d.reply(t(24, "09:30"), "T-2003", "priya", text="We have refunded the duplicate charge for order 51877.",
            changes={"status": "solved"}, label=L + ": window closed at 08:40, not 11:30",
            expect="blocked:outside_24h_window")

    # S04 wa:15550100004 Omar Haddad — W3: an older message delivered late does not move
    # the anchor back; the webhook line is out of time order (warning).
    omar = ("15550100004", "Omar Haddad")
    L = "S04 late webhook, anchor never moves back (Omar)"
    d.wa_text(t(23, "09:10:05"), *omar, "Hello, where is my parcel? Order 50012 was due yesterday.", label=L)
    d.wa_text(t(23, "09:02:30"), *omar, "Hi, are you open today?", pos=t(23, "09:40"),
              label=L + ": sent 09:02:30, arrives after 09:31 (out of order)", out_of_order=True)
    d.reply(t(23, "09:45"), "wa:15550100004", "ben", text="Hi Omar, your parcel is with the courier and should arrive today.",
            wamid=wam(omar[0], True), changes={"status": "pending", "assignee": "Ben Okafor"}, label=L, expect="delivered")
    d.reply(t(24, "09:05"), "wa:15550100004", "ben", text="Omar, did the parcel arrive?", wamid=wam(omar[0], True),
            label=L + ": window still open (closes 09:10:05)", expect="delivered")
    d.reply(t(24, "09:15"), "wa:15550100004", "ben", text="Please let us know if you still need help.",
            label=L + ": window closed at 09:10:05", expect="blocked:outside_24h_window")
    d.wa_text(t(24, "16:20:44"), *omar, "Sorry, I was travelling. Yes it arrived, thanks!", label=L)
    d.reply(t(24, "16:35"), "wa:15550100004", "ben", text="Glad to hear it, Omar!", wamid=wam(omar[0], True),
            changes={"status": "solved"}, label=L, expect="delivered")

    # S05 T-2005 Grace Okoro (opted in) — W4: the agent starts the conversation.
    L = "S05 agent-started WhatsApp ticket (Grace, opted in)"
    d.created(t(24, "11:00"), {"id": "T-2005", "channel": "whatsapp", "subject": "Replacement for order 60331",
                                "assignee": "Olu Adeyemi", "fields": {"order_id": "60331"},
                                "requester": person("u-grace", "Grace Okoro", email="grace.okoro@example.com",
                                                    phone="+15550100025", opted_in=True)}, label=L)
    d.reply(t(24, "11:05"), "T-2005", "olu", text="Hi Grace, your replacement for order 60331 is ready. Shall we ship it to your home address?",
            label=L + ": free text, customer never wrote (W4)", expect="blocked:outside_24h_window")
    g1 = wam("15550100025", True)
    d.reply(t(24, "11:07"), "T-2005", "olu", template=("order_followup", "en_US", ["60331"]), wamid=g1,
            label=L + ": approved template, opted in (W8, W11)", expect="delivered")
    d.wa_status(t(24, "11:07:03"), g1, "delivered", "15550100025", label=L)
    d.wa_status(t(24, "11:20:10"), g1, "read", "15550100025", label=L)
    d.wa_text(t(24, "13:40:21"), "15550100025", "Grace Okoro", "Thanks! Please ship it to my office instead: 12 Harbour Street.",
              label=L + ": customer answers the template; found by phone")
    d.reply(t(24, "13:55"), "T-2005", "olu", text="Done, it ships to 12 Harbour Street today.", wamid=wam("15550100025", True),
            changes={"status": "solved"}, label=L, expect="delivered")

    # S06 T-2006 Tomás Vidal (not opted in) — templates that fail.
    L = "S06 template failures (Tomás, not opted in)"
    d.message(t(23, "09:31"), "T-2006", "Can I change the delivery address for order 61200?", channel="whatsapp",
              requester=person("u-tomas", "Tomás Vidal", phone="+15550100026", opted_in=False), label=L)
    d.reply(t(23, "09:50"), "T-2006", "olu", text="Yes, what is the new address?", wamid=wam("15550100026", True),
            changes={"status": "pending", "assignee": "Olu Adeyemi"}, label=L, expect="delivered")
    d.reply(t(24, "10:15"), "T-2006", "olu", template=("order_followup", "en_US", ["61200"]),
            label=L + ": approved, but not opted in (W11)", expect="blocked:not_opted_in")
    d.reply(t(24, "10:16"), "T-2006", "olu", template=("winter_sale", "en_US", []),
            label=L + ": not in the registry (W9)", expect="blocked:template_not_approved")
    d.reply(t(24, "10:17"), "T-2006", "olu", template=("order_followup", "en_US", []),
            label=L + ": wrong number of params, 0 for 1 (W9)", expect="blocked:template_not_approved")
    d.reply(t(24, "10:18"), "T-2006", "olu", template=("csat_survey", "en_US", []),
            label=L + ": approved only in ko_KR (W9)", expect="blocked:template_not_approved")
    d.update(t(24, "14:05"), "T-2006", "api", {"fields": {"order_id": "61200", "delivery_status": "delivered"}},
             label=L + ": order system: delivered -> trigger message into a closed window")

    # S07 T-2007 Ivan Petrov (opted in) — W15 template shorthand in a macro.
    L = "S07 template shorthand in a macro (Ivan, opted in)"
    d.message(t(23, "12:50"), "T-2007", "Is there a discount if I order 10 chairs?", channel="whatsapp",
              requester=person("u-ivan", "Ivan Petrov", phone="+15550100027", opted_in=True),
              label=L + ": written during the lunch break -> out-of-hours reply")
    d.reply(t(23, "14:10"), "T-2007", "ana", text="Yes: 10% off from 8 chairs. Shall I prepare a quote?",
            wamid=wam("15550100027", True), changes={"status": "pending", "assignee": "Ana Ruiz"}, label=L, expect="delivered")
    d.reply(t(24, "14:30"), "T-2007", "ana", via="macro", text=SHORTHAND_OK, wamid=wam("15550100027", True),
            label=L + ": well-formed shorthand = template send, outside the window", expect="delivered:template")

    # S08 T-2008 Zoe Adams (not opted in) — macros in and out of the window, malformed shorthand.
    L = "S08 macros and malformed shorthand (Zoe)"
    d.message(t(23, "15:02"), "T-2008", "Do you deliver to Jersey?", channel="whatsapp",
              requester=person("u-zoe", "Zoe Adams", phone="+15550100028"), label=L)
    d.reply(t(23, "15:20"), "T-2008", "ben", via="macro",
            text="Thanks for your question! We deliver to all UK addresses, including the Channel Islands.",
            wamid=wam("15550100028", True), changes={"status": "pending", "assignee": "Ben Okafor"},
            label=L + ": macro inside the window", expect="delivered")
    d.reply(t(24, "16:00"), "T-2008", "ben", via="macro", text=SHORTHAND_BAD,
            label=L + ": unclosed shorthand = free text, window closed", expect="blocked:outside_24h_window")
    d.reply(t(24, "16:01"), "T-2008", "ben", via="macro", text="Hi Zoe, just following up on your delivery question.",
            label=L + ": macro outside the window", expect="blocked:outside_24h_window")

    # S09 T-2009 Felix Wagner — a message that arrives 24h20m after it was sent.
    L = "S09 arrives after its window closed (Felix)"
    d.message(t(24, "09:10"), "T-2009", "Hi, my voucher code does not work at checkout.", sent_at=t(23, "08:50"),
              channel="whatsapp", requester=person("u-felix", "Felix Wagner", phone="+15550100029"), label=L)
    d.reply(t(24, "09:10:05"), "T-2009", "bot", via="autoresponder", text="Thanks for contacting Acme! An agent will reply shortly.",
            label=L + ": autoresponders are guarded too (W6)", expect="blocked:outside_24h_window")
    d.reply(t(24, "09:20"), "T-2009", "ben", text="Hi Felix, sorry for the wait. Which voucher code did you use?",
            changes={"status": "pending", "assignee": "Ben Okafor"},
            label=L + ": blocked, and set to pending with the window closed", expect="blocked:outside_24h_window")
    d.update(t(24, "09:25"), "T-2009", "agent", {"add_tags": ["reengage"]},
             label=L + ": re-engage template to a customer who did not opt in")
    d.wa_text(t(24, "18:30:12"), "15550100029", "Felix Wagner", "Hello? Any news about my voucher?",
              label=L + ": the customer writes again, window reopens")
    d.reply(t(24, "18:45"), "T-2009", "ben", text="Sorry Felix, the code WINTER10 works again now.", wamid=wam("15550100029", True),
            changes={"status": "solved"}, label=L, expect="delivered")

    # S10 T-2010 Nadia Rahman — closed ticket, follow-up ticket T-2010/2.
    L = "S10 message on a closed ticket -> follow-up (Nadia)"
    d.message(t(23, "08:00"), "T-2010", "Hi, can you resend my invoice for order 39112?", channel="whatsapp",
              requester=person("u-nadia", "Nadia Rahman", phone="+15550100030"), label=L)
    d.reply(t(23, "08:20"), "T-2010", "ana", text="Sent to your email address, Nadia.", wamid=wam("15550100030", True),
            changes={"status": "solved", "assignee": "Ana Ruiz"}, label=L, expect="delivered")
    d.update(t(23, "08:45"), "T-2010", "system", {"status": "closed"}, with_id=False, label=L + ": the host closes it")
    d.message(t(24, "12:05"), "T-2010", "Hi again, the invoice shows the wrong billing address.",
              label=L + ": creates T-2010/2 tagged followup")
    d.reply(t(24, "12:20"), "T-2010/2", "ana", text="Sorry about that, Nadia. A corrected invoice is on its way.",
            wamid=wam("15550100030", True), changes={"status": "solved", "assignee": "Ana Ruiz"}, label=L, expect="delivered")

    # S11 T-2011 Hannah Cole (VIP, opted in) — refund escalation chain, API solve,
    # satisfaction survey, bad rating.
    L = "S11 VIP refund escalation (Hannah)"
    d.created(t(23, "13:58"), {"id": "T-2011", "channel": "whatsapp", "subject": "Order 73310",
                                "fields": {"order_id": "73310"},
                                "requester": person("u-hannah", "Hannah Cole", email="hannah.cole@example.org",
                                                    phone="+15550100031", opted_in=True, tags=["vip"])},
              label=L + ": VIP -> high priority")
    d.wa_text(t(23, "14:02:10"), "15550100031", "Hannah Cole", "I want a refund for order 73310, the boots are the wrong size.",
              label=L + ": refund + VIP -> urgent, Billing, Priya, pager")
    d.reply(t(23, "14:20"), "T-2011", "priya", text="Hi Hannah, I have started the refund. You will see it on your statement in 3 to 5 days.",
            wamid=wam("15550100031", True), changes={"status": "pending"}, label=L, expect="delivered")
    d.update(t(23, "16:00"), "T-2011", "api", {"status": "solved"}, label=L + ": the order system solves it")
    d.update(t(24, "17:45"), "T-2011", "end_user", {"satisfaction": "bad"}, label=L + ": bad rating")

    # S12 T-2012 Nia Brooks — the order system reports a delivery while the window is open.
    L = "S12 API delivery update inside the window (Nia)"
    d.message(t(24, "08:15"), "T-2012", "When will order 80021 arrive? I need it for Friday.", channel="whatsapp",
              requester=person("u-nia", "Nia Brooks", phone="+15550100032"), label=L)
    d.update(t(24, "09:40"), "T-2012", "agent", {"assignee": "Olu Adeyemi", "fields": {"order_id": "80021"}}, label=L)
    d.reply(t(24, "09:41"), "T-2012", "olu", text="Hi Nia, it is out for delivery today.", wamid=wam("15550100032", True),
            changes={"status": "pending"}, label=L, expect="delivered")
    d.update(t(24, "14:00"), "T-2012", "api", {"fields": {"delivery_status": "delivered"}},
             label=L + ": trigger message delivered (window open)")

    # S13 one webhook, two senders (one of them Korean, with a card number).
    L = "S13 one payload, two senders"
    lucas = ("15550100011", "Lucas Brandt")
    jiwoo = ("821055500012", "Ji-woo Han")
    d.inbound([lucas, jiwoo], [
        d.wa_msg(t(24, "11:29:40"), lucas[0], text="Hi, do you sell gift cards?"),
        d.wa_msg(t(24, "11:30:02"), jiwoo[0], text="4111111111111111번 카드로 결제했는데 주문 확인 메일을 못 받았어요"),
    ], label=L, redactions={"wa:821055500012": 1})
    d.reply(t(24, "11:45"), "wa:15550100011", "ben", text="Yes! Gift cards from £10: https://shop.example.com/gift-cards",
            wamid=wam(lucas[0], True), changes={"status": "solved", "assignee": "Ben Okafor"}, label=L, expect="delivered")
    d.reply(t(24, "11:50"), "wa:821055500012", "kenji", text="안녕하세요 지우 님, 주문 확인 메일을 다시 보내드렸습니다.",
            wamid=wam(jiwoo[0], True), changes={"status": "solved", "assignee": "Kenji Mori"}, label=L, expect="delivered")
    d.reply(t(24, "11:52"), "wa:821055500012", "kenji", template=("csat_survey", "ko_KR", []),
            wamid=wam(jiwoo[0], True), label=L + ": Korean survey template inside the window", expect="delivered")

    # S14 card numbers in many shapes.
    L = "S14 card redaction"
    ravi = ("15550100013", "Ravi Patel")
    d.wa_text(t(24, "07:40:11"), *ravi, "I was charged on 4111111111111111 and on 5105105105105100 but only ordered once",
              label=L + ": two contiguous cards", redactions=2)
    d.reply(t(24, "07:40:15"), "wa:15550100013", "bot", via="autoresponder",
            text="Thanks for contacting Acme! An agent will reply shortly.", wamid=wam(ravi[0], True),
            label=L + ": autoresponder inside the window", expect="delivered")
    d.reply(t(24, "09:12"), "wa:15550100013", "priya",
            text="Hi Ravi, only one charge went through; the other was a pre-authorisation that drops off in 3 days.",
            wamid=wam(ravi[0], True), changes={"status": "solved", "assignee": "Priya Shah"}, label=L, expect="delivered")

    d.wa_text(t(24, "15:30:27"), "15550100017", "Eva Novak", "Please update my card to amex 3782 822463 10005",
              label=L + ": amex 4-6-5", redactions=1)
    d.reply(t(24, "15:50"), "wa:15550100017", "priya", text="Done, Eva. Next time please use the secure link in your account.",
            wamid=wam("15550100017", True), changes={"status": "solved", "assignee": "Priya Shah"}, label=L, expect="delivered")

    marco = ("15550100018", "Marco Rossi")
    d.wa_text(t(24, "16:05:03"), *marco, "New card: Visa 4012 8888 8888 1881 03/27. The old one was 4111 1111 1111 1112.",
              label=L + ": spaces + expiry kept; Luhn-invalid left alone", redactions=1)
    d.wa_text(t(24, "16:07:19"), *marco, "Order page: https://shop.example.com/orders/4111111111111111",
              label=L + ": digits inside a URL are left alone", redactions=0)
    d.reply(t(24, "16:30"), "wa:15550100018", "priya", text="Thanks Marco, the new card is saved.",
            wamid=wam(marco[0], True), changes={"status": "solved", "assignee": "Priya Shah"}, label=L, expect="delivered")

    lina = ("15550100019", "Lina Costa")
    d.wa_text(t(24, "16:40:55"), *lina, "Call me back on +57 300 555 0013 please, I am in Bogotá this week.",
              label=L + ": phone number after + is left alone", redactions=0)
    l1 = wam(lina[0], True)
    d.reply(t(24, "17:10"), "wa:15550100019", "ben", text="Sure Lina, we will call you tomorrow morning.", wamid=l1,
            changes={"status": "pending", "assignee": "Ben Okafor"}, label=L, expect="delivered")
    d.wa_status(t(24, "17:10:06"), l1, "failed", lina[0], error=failed_131026(),
                label=L + ": platform failure 131026 -> platform_error")

    d.wa_image(t(24, "10:45:30"), "15550100020", "Tom Becker", "photo of my card 5555 5555 5555 4444, is this the right number?",
               label=L + ": card in an image caption", redactions=1)
    d.reply(t(24, "11:10"), "wa:15550100020", "ana",
            text="Please never send card photos here, Tom. We removed the number; use the secure link in your account instead.",
            wamid=wam("15550100020", True), changes={"status": "solved", "assignee": "Ana Ruiz"}, label=L, expect="delivered")

    d.message(t(24, "10:05"), "T-1101", "My Mastercard is 5555 5555 5555 4444, can you update my details?", channel="messenger",
              requester=person("u-amira", "Amira Said"), label=L + ": Messenger, spaces", redactions=1)
    d.reply(t(24, "10:30"), "T-1101", "olu", text="Thanks Amira. Please never share full card numbers here; we removed it.",
            changes={"status": "solved", "assignee": "Olu Adeyemi"}, label=L, expect="delivered")

    d.message(t(24, "13:15"), "T-1102", "Discover 6011-1111-1111-1117 was declined, why?", channel="instagram",
              requester=person("u-kai", "Kai Tanaka"), label=L + ": Instagram, dashes", redactions=1)
    d.reply(t(24, "13:45"), "T-1102", "ben", text="Hi Kai, your bank declined it. Please call them or try another card.",
            changes={"status": "solved", "assignee": "Ben Okafor"}, label=L, expect="delivered")

    d.created(t(24, "09:50"), {"id": "T-1103", "channel": "instagram", "subject": "Card 4012888888881881 declined",
                                "requester": person("u-rosa", "Rosa Lima")},
              label=L + ": Instagram subject on creation", redactions=1)
    d.message(t(24, "10:10"), "T-1103", "Hello? Anyone there?", label=L)
    d.reply(t(24, "10:20"), "T-1103", "ana", text="Hi Rosa, sorry! Your bank declined the card; please contact them.",
            changes={"status": "solved", "assignee": "Ana Ruiz"}, label=L, expect="delivered")

    d.created(t(24, "11:15"), {"id": "T-1104", "channel": "messenger", "subject": "Update card",
                                "fields": {"customer_note": "new card 5105 1051 0510 5100"},
                                "requester": person("u-yusuf", "Yusuf Demir")},
              label=L + ": Messenger custom text field on creation", redactions=1)
    d.reply(t(24, "11:40"), "T-1104", "olu", text="Hi Yusuf, please add the card in your account settings; we cannot do it for you.",
            changes={"status": "solved", "assignee": "Olu Adeyemi"}, label=L, expect="delivered")

    d.message(t(24, "02:10"), "T-1105", "カード番号は4111111111111111です。注文番号は55123です。", channel="line",
              requester=person("u-haruka", "Haruka Sato"), label=L + ": LINE, Japanese text", redactions=1)
    d.reply(t(24, "09:30"), "T-1105", "kenji", text="佐藤様、カード番号は削除いたしました。ご注文55123は発送済みです。",
            changes={"status": "solved", "assignee": "Kenji Mori"}, label=L, expect="delivered")

    d.created(t(24, "09:05"), {"id": "T-1020", "channel": "email", "subject": "Refund to card 4111 1111 1111 1111 please",
                                "requester": person("u-peter", "Peter Hall", email="peter.hall@example.com")},
              label=L + ": email subject: NOT redacted (email is not social messaging)", redactions=0)
    d.reply(t(24, "10:35"), "T-1020", "priya", template=("order_followup", "en_US", ["T-1020"]),
            label="S15 template on an email ticket", expect="blocked:template_not_supported_on_channel")
    d.reply(t(24, "10:40"), "T-1020", "priya", text="Hi Peter, the refund was issued. Please do not email card numbers; we never need them.",
            changes={"status": "solved", "assignee": "Priya Shah"}, label=L, expect="delivered")

    # S16 triggers that do not fire / fire on their own.
    d.wa_text(t(24, "12:50:33"), "15550100014", "Chloe Martin", "Can I get a refund? The lamp arrived broken.",
              label="S16 refund from a non-VIP: no escalation; lunch break -> out-of-hours reply")
    d.reply(t(24, "13:40"), "wa:15550100014", "ana", text="Sorry about the lamp, Chloe! Refund approved; you will get an email confirmation.",
            wamid=wam("15550100014", True), changes={"status": "solved", "assignee": "Ana Ruiz"},
            label="S16 refund from a non-VIP", expect="delivered")

    dev = ("15550100015", "Dev Malik")
    L = "S17 forwarded message (Dev)"
    d.wa_text(t(24, "13:35:44"), *dev, "Your parcel 1Z999AA10123456784 is delayed. Pay the 1.99 GBP fee at http://acme-parcel.example/pay to release it.",
              forwarded=True, label=L + ": asks for a screenshot")
    d.wa_image(t(24, "13:50:02"), *dev, "screenshot", label=L + ": the screenshot (attachment note)")
    d.reply(t(24, "14:00"), "wa:15550100015", "ana", text="Thanks Dev. That message is a scam, not from us; please do not pay anything.",
            wamid=wam(dev[0], True), changes={"status": "solved", "assignee": "Ana Ruiz"}, label=L, expect="delivered")

    d.wa_text(t(24, "14:20:09"), "15550100016", "Lucky Winner", "CRYPTO GIVEAWAY!!! claim your prize now at http://crypto.example",
              label="S18 spam: set tags spam")

    # S19 email and web tickets: reopen, S1, hold, note escalation, brand routing, API.
    L = "S19 email reopen + 8 business hours escalation (Julia)"
    d.created(t(23, "09:15"), {"id": "T-1003", "channel": "email", "subject": "Wrong size delivered",
                                "requester": person("u-julia", "Julia Meyer", email="julia.meyer@example.net")}, label=L)
    d.reply(t(23, "09:50"), "T-1003", "ana", text="Sorry Julia! Please send us the order number and we will swap it.",
            changes={"status": "pending", "assignee": "Ana Ruiz"}, label=L, expect="delivered")
    d.message(t(23, "10:55"), "T-1003", "Order 44120. I need a 38 instead of a 40.", label=L + ": reopens pending -> open")
    d.reply(t(24, "14:10"), "T-1003", "ana", text="Swapped! The size 38 ships today.", changes={"status": "solved"},
            label=L, expect="delivered")

    L = "S20 solved without assignee (Mark)"
    d.created(t(24, "10:00"), {"id": "T-1005", "channel": "email", "subject": "Cancel my subscription",
                                "requester": person("u-mark", "Mark Evans", email="mark.evans@example.com")}, label=L)
    d.update(t(24, "10:30"), "T-1005", "agent", {"status": "solved"}, label=L + ": rejected (S1)", reject=True)
    d.update(t(24, "10:31"), "T-1005", "agent", {"status": "solved", "assignee": "Ben Okafor"}, label=L)
    d.created(t(24, "10:40:30"), {"id": "T-1005", "channel": "email", "subject": "Cancel my subscription",
                                   "requester": person("u-mark", "Mark Evans", email="mark.evans@example.com")},
              label="S24 rejected: ticket id already exists", reject=True)

    L = "S21 hold reminder (Oscar)"
    d.created(t(23, "10:20"), {"id": "T-1008", "channel": "email", "subject": "Sofa delivery date",
                                "requester": person("u-oscar", "Oscar Lindqvist", email="oscar.l@example.org")}, label=L)
    d.reply(t(23, "11:00"), "T-1008", "olu", text="We are waiting for the warehouse to confirm a date.",
            changes={"status": "hold", "assignee": "Olu Adeyemi"}, label=L, expect="delivered")
    d.reply(t(24, "15:00"), "T-1008", "olu", text="The warehouse confirmed Thursday.", changes={"status": "solved"},
            label=L, expect="delivered")

    L = "S22 escalation by internal note (Lisa)"
    d.created(t(24, "09:20"), {"id": "T-1010", "channel": "email", "subject": "Charged but order cancelled",
                                "requester": person("u-lisa", "Lisa Chen", email="lisa.chen@example.com")}, label=L)
    d.note(t(24, "09:45"), "T-1010", "ben", "Customer says she will open a chargeback. Please escalate to billing.",
           label=L + ": note -> urgent -> pager", expect="recorded")
    d.update(t(24, "10:10"), "T-1010", "agent", {"group": "Billing"}, label=L + ": Billing -> Priya")
    d.reply(t(24, "11:30"), "T-1010", "priya", text="Hi Lisa, the charge is reversed; it disappears in 3 to 5 days.",
            changes={"status": "solved"}, label=L, expect="delivered")

    L = "S23 payment question routed to Acme Pay (Anna)"
    d.created(t(24, "09:35"), {"id": "T-1011", "channel": "web", "subject": "Payment failed at checkout",
                                "requester": person("u-anna", "Anna Berg", email="anna.berg@example.net")}, label=L)
    d.reply(t(24, "09:55"), "T-1011", "priya", text="Your bank declined the 3-D Secure check. Please try again.",
            changes={"status": "pending"}, label=L, expect="delivered")
    dup = d.message(t(24, "10:40"), "T-1011", "It worked this time, thanks!", label=L + ": reopens")
    d._add(t(24, "10:40"), None, with_id=False, dup_of=dup, label="S24 the host sends the same event twice", duplicate=True)
    d.update(t(24, "10:45"), "T-1011", "agent", {"status": "solved"}, label=L)

    L = "S25 order system over the API (Henrik)"
    d.created(t(24, "13:00"), {"id": "T-1012", "channel": "email", "subject": "Return label not received",
                                "requester": person("u-henrik", "Henrik Olsen", email="henrik.olsen@example.com")}, label=L)
    d.reply(t(24, "13:30"), "T-1012", "olu", text="We have asked the warehouse to send a new label.",
            changes={"status": "pending", "assignee": "Olu Adeyemi"}, label=L, expect="delivered")
    d.update(t(24, "15:55"), "T-1012", "api", {"status": "solved"}, pos=t(24, "16:08"),
             label=L + ": stamped 15:55, arrives after 16:07 (out of order)", out_of_order=True)

    # S24 malformed and rejected lines, unknown wamid, a reaction-only payload.
    L = "S24 rejected"
    d.raw(t(24, "12:00"), json.dumps({"type": "agent.reply", "id": "ev-x-noticket", "at": "2026-11-24T12:00:00Z",
                                      "author": {"id": "agent-ben", "name": "Ben Okafor"}, "via": "agent",
                                      "text": "Hi, following up on your question."}),
          label=L + ": agent.reply without ticket", reject=True)
    d.raw(t(24, "12:10"), '{"type": "message.received", "id": "ev-x-truncated", "at": "2026-11-24T12:10:00Z", '
                          '"ticket": "T-1003", "text": "I also wanted to ask about',
          label=L + ": invalid JSON (truncated line)", reject=True)
    d.raw(t(24, "12:15"), json.dumps({"type": "ticket.merged", "id": "ev-x-merged", "at": "2026-11-24T12:15:00Z",
                                      "ticket": "T-1003", "into": "T-1008"}),
          label=L + ": unknown event type", reject=True)
    d.raw(t(24, "12:20"), json.dumps({"type": "ticket.updated", "id": "ev-x-badtime", "at": "24/11/2026 12:20",
                                      "ticket": "T-1008", "by": "agent", "changes": {"priority": "high"}}),
          label=L + ": bad at", reject=True)
    d.update(t(24, "12:25"), "T-9999", "api", {"status": "open"}, label=L + ": unknown ticket", reject=True)
    d.inbound([("15550100011", "Lucas Brandt")], [d.wa_msg(t(24, "13:25:13"), "15550100011", kind="reaction", emoji="👍",
                                                           reply_to="wamid.HBgLMTU1NTAxMDAwMTEVAgARGBQ5QTdCMkM0RDFFM0Y1QTZCOEMw")],
              label=L + ": reaction-only webhook (no usable item)", reject=True)
    d.wa_status(t(24, "11:58:20"), "wamid.HBgLMTU1NTAxMDk5OTkVAgARGBQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0", "read", "15550109999",
                label="S26 status for an unknown wamid (warning)", unknown_wamid=True)

    d.clock(t(23, "20:00"), label="clock")
    d.clock(t(24, "03:00"), label="clock")
    d.clock(END, label="clock: end of the replay")
    for pos in (t(23, "12:00:30"), t(24, "12:00:30"), t(24, "18:00:30")):
        d.blank(pos)


# --------------------------------------------------------------------------------------
# Everyday traffic (random, seeded)
# --------------------------------------------------------------------------------------

FIRST = ["Olivia", "Noah", "Amelia", "Jack", "Isla", "Harry", "Mia", "Oscar", "Freya", "Arthur",
         "Ella", "Leon", "Ava", "Theo", "Ruby", "Finn", "Layla", "Hugo", "Sienna", "Rory", "Elif", "Mateo"]
LAST = ["Fletcher", "Quinn", "Byrne", "Hartley", "Osei", "Lindgren", "Moreau", "Kowalski", "Nakamura",
        "Dubois", "Jensen", "Silva", "Fischer", "Novak", "Reyes", "Walsh", "Ahmed", "Larsen", "Conti", "Horvat"]
QUESTIONS = [
    ("Where is my order", "Where is my order {o}? The tracking page has not changed since Friday."),
    ("Return a jacket", "How do I return a jacket that does not fit?"),
    ("Change colour", "Can I still change the colour of order {o} to green?"),
    ("Garden bench stock", "Do you have the oak garden bench in stock?"),
    ("Discount code", "My discount code SAVE15 is not accepted at checkout."),
    ("Click and collect", "Can I collect my order from the Leeds store?"),
    ("VAT invoice", "I need a VAT invoice for my company for order {o}."),
    ("Broken zip", "The zip on my backpack broke after a week."),
    ("Gift message", "Can I add a gift message to order {o}?"),
    ("Size advice", "Which size should I take for the wool coat? I usually wear M."),
    ("Shipping to Ireland", "Do you ship to Ireland, and how long does it take?"),
    ("Missing item", "One item is missing from my parcel (order {o})."),
]
ANSWERS = [
    "It left our warehouse yesterday and should arrive tomorrow.",
    "You can print a free return label from your account page.",
    "Done, I have updated it for you.",
    "Yes, we have 4 left in stock.",
    "That code expired on Sunday, but I have applied 15% to your basket.",
    "Yes, choose \"Click & Collect\" at checkout.",
    "I have emailed the invoice to you.",
    "Sorry about that! A replacement is on its way.",
    "Of course, I have added it.",
    "The coat runs small, so we recommend L.",
    "Yes, it takes 2 to 3 working days.",
    "Sorry! The missing item ships separately today.",
]
FOLLOWUPS = ["Thanks, that helps!", "OK, and how long does that take?", "Perfect, thank you.",
             "Got it. Could you also send the tracking link?", "Great, thanks for the quick answer."]
CLOSERS = ["You are welcome! Have a nice day.", "It takes about two days; the tracking link is in your email.",
           "Happy to help!", "Glad it is sorted."]


def everyday(d, rng, count):
    """`count` ordinary tickets: a question, an answer, sometimes a follow-up and a solve."""
    agents = ["ana", "ben", "olu", "priya"]
    channels = ["email", "email", "web", "whatsapp_webhook", "whatsapp_webhook", "whatsapp_webhook",
                "whatsapp_native", "messenger", "instagram"]
    used_names = set()
    wa_n = 200
    t_n = {"T-12": 1, "T-21": 1}
    for i in range(count):
        while True:
            name = "%s %s" % (rng.choice(FIRST), rng.choice(LAST))
            if name not in used_names:
                used_names.add(name)
                break
        first = name.split()[0]
        ch = channels[i % len(channels)]
        r = rng.random()
        if r < 0.25:
            created = t(23, "08:30") + timedelta(minutes=rng.randrange(0, 9 * 60))
        elif r < 0.9:
            created = t(24, "06:30") + timedelta(minutes=rng.randrange(0, 15 * 60))
        else:
            created = t(25, "01:00") + timedelta(minutes=rng.randrange(0, 6 * 60))
        created = created.replace(second=rng.randrange(0, 60))
        subject, q = rng.choice(QUESTIONS)
        order = str(rng.randrange(40000, 99999))
        qtext = q.format(o=order)
        k = QUESTIONS.index((subject, q))
        agent = rng.choice(agents)
        aname = AGENTS[agent][1]
        label = "everyday %s" % ch.split("_")[0]
        steps_at = created
        is_wa = ch.startswith("whatsapp")
        wa_id = None

        def step(minutes_lo, minutes_hi):
            nonlocal steps_at
            steps_at = steps_at + timedelta(minutes=rng.randrange(minutes_lo, minutes_hi), seconds=rng.randrange(0, 60))
            return steps_at if steps_at < END - timedelta(minutes=2) else None

        if ch == "whatsapp_webhook":
            wa_n += 1
            wa_id = "15550100%03d" % wa_n
            tid = "wa:" + wa_id
            d.wa_text(created, wa_id, name, qtext, label=label)
        elif ch == "whatsapp_native":
            tid = "T-21%02d" % t_n["T-21"]
            t_n["T-21"] += 1
            wa_n += 1
            wa_id = "15550100%03d" % wa_n
            d.message(created, tid, qtext, channel="whatsapp",
                      requester=person("u-%s" % tid.lower(), name, phone="+" + wa_id), label=label)
        elif ch in ("messenger", "instagram"):
            tid = "T-12%02d" % t_n["T-12"]
            t_n["T-12"] += 1
            d.message(created, tid, qtext, channel=ch, requester=person("u-%s" % tid.lower(), name), label=label)
        else:
            tid = "T-12%02d" % t_n["T-12"]
            t_n["T-12"] += 1
            email = "%s.%s@example.%s" % (first.lower(), name.split()[1].lower(), rng.choice(["com", "org", "net"]))
            d.created(created, {"id": tid, "channel": ch, "subject": subject,
                                "requester": person("u-%s" % tid.lower(), name, email=email)}, label=label)

        # first answer
        a1 = step(8, 150)
        if a1 is None:
            continue
        via = "macro" if rng.random() < 0.25 else "agent"
        solve_now = rng.random() < 0.3
        ch_ = {"status": "solved" if solve_now else "pending", "assignee": aname}
        wamid = d.wamid(wa_id, True) if is_wa else None
        d.reply(a1, tid, agent, text="Hi %s, thanks for getting in touch. %s" % (first, ANSWERS[k]), via=via,
                wamid=wamid, changes=ch_, label=label, expect="delivered")
        if is_wa:
            s1 = a1 + timedelta(seconds=rng.randrange(2, 9))
            d.wa_status(s1, wamid, "delivered", wa_id, label=label)
            if rng.random() < 0.8:
                d.wa_status(s1 + timedelta(minutes=rng.randrange(1, 40), seconds=rng.randrange(0, 60)),
                            wamid, "read", wa_id, label=label)
        if rng.random() < 0.15:
            n_at = step(1, 10)
            if n_at:
                d.note(n_at, tid, agent, "Checked with the warehouse: stock and address are fine.", label=label,
                       expect="recorded")
        if solve_now and rng.random() < 0.7:
            continue
        # the customer answers
        c1 = step(5, 240)
        if c1 is None:
            continue
        text = rng.choice(FOLLOWUPS)
        if ch == "whatsapp_webhook":
            d.wa_text(c1, wa_id, name, text, label=label)
        else:
            d.message(c1, tid, text, label=label)
        if rng.random() < 0.12:
            continue  # nobody answers before the end of the replay
        a2 = step(5, 90)
        if a2 is None:
            continue
        wamid = d.wamid(wa_id, True) if is_wa else None
        d.reply(a2, tid, agent, text=rng.choice(CLOSERS), wamid=wamid,
                changes={"status": "solved"}, label=label, expect="delivered")
        if is_wa and rng.random() < 0.5:
            d.wa_status(a2 + timedelta(seconds=rng.randrange(2, 9)), wamid, "delivered", wa_id, label=label)


# --------------------------------------------------------------------------------------
# The reference model
# --------------------------------------------------------------------------------------

PRIORITY_ORDER = ["low", "normal", "high", "urgent"]


class Ticket:
    def __init__(self, tid=None, channel=None):
        self.id = tid
        self.channel = channel
        self.status = None
        self.priority = None
        self.type = None
        self.group = None
        self.assignee = None
        self.form = None
        self.brand = None
        self.schedule = None
        self.subject = None
        self.tags = set()
        self.fields = {}
        self.satisfaction = None
        self.req = {"name": None, "phone": None, "email": None, "opted_in": False, "tags": set()}
        self.created_at = None
        self.anchor = None          # latest end-user WhatsApp send time (W1, W3)
        self.req_update = None
        self.status_since = None
        self.solved_at = None
        self.seq = None

    def window_open(self, now):
        return self.channel == "whatsapp" and self.anchor is not None and now < self.anchor + timedelta(hours=24)


def business_seconds(schedule, a, b):
    off, intervals, holidays = SCHEDULES[schedule]
    tz = timezone(timedelta(hours=off))
    la, lb = a.astimezone(tz), b.astimezone(tz)
    total = 0
    day = la.date()
    while day <= lb.date():
        if day.weekday() < 5 and day.isoformat() not in holidays:
            for s, e in intervals:
                sh, sm = map(int, s.split(":"))
                eh, em = map(int, e.split(":"))
                ds = datetime(day.year, day.month, day.day, sh, sm, tzinfo=tz)
                de = datetime(day.year, day.month, day.day, eh, em, tzinfo=tz)
                lo, hi = max(ds, la), min(de, lb)
                if hi > lo:
                    total += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return total


def within_business(schedule, now):
    return business_seconds(schedule, now, now + timedelta(seconds=1)) > 0


def parse_shorthand(text):
    m = re.search(r"&\(\((.*?)\)\)&", text, re.S)
    if not m:
        return None
    pairs = re.findall(r"(\w+)=\[\[(.*?)\]\]", m.group(1))
    keys = dict()
    body = []
    for k, v in pairs:
        if k == "body_text":
            body.append(v)
        else:
            keys[k] = v
    if "template" not in keys:
        return None
    return (keys["template"], keys.get("language", "en_US"), body)


class Ctx:
    def __init__(self, model, tk, base, now, user, via, created, comment=None, public=False, forwarded=False,
                 attachments=False):
        self.model, self.tk, self.base, self.now = model, tk, base, now
        self.user, self.via, self.created = user, via, created
        self.comment, self.public, self.forwarded, self.attachments = comment, public, forwarded, attachments
        self.fired = []
        self.messages = []   # (source, kind, delivery, reason)
        self.source = None
        self.n = 0

    def render(self, s):
        tk = self.tk
        vals = {"ticket.id": tk.id, "ticket.subject": tk.subject or "", "ticket.status": tk.status or "",
                "requester.name": tk.req["name"] or "", "requester.first_name": (tk.req["name"] or "").split(" ")[0],
                "assignee.name": tk.assignee or ""}
        for k, v in tk.fields.items():
            vals["ticket.fields." + k] = str(v)

        def sub(m):
            return vals.get(m.group(1), "")
        return re.sub(r"\{\{([a-z_.]+)\}\}", sub, s)

    # actions
    def send_text(self, text):
        self.messages.append((self.source,) + self.model.guard(self.tk, self.now, self.source, text=self.render(text)))

    def send_template(self, name, lang, params):
        self.messages.append((self.source,) + self.model.guard(self.tk, self.now, self.source,
                                                               template=(name, lang, [self.render(p) for p in params])))

    def note(self, text):
        self.messages.append((self.source, "note", "recorded", None))

    def notify(self, target):
        if target == "requester":
            reached = any(m[1] in ("text", "template") and m[2] == "delivered" for m in self.messages)
            self.messages.append((self.source, "email", "delivered" if reached else "skipped", None))
        elif target == "webhook":
            self.messages.append((self.source, "webhook", "recorded", None))
        else:
            self.messages.append((self.source, "email", "delivered", None))

    def set_status(self, s):
        if s == "solved" and not self.tk.assignee:
            return
        if self.tk.status != s:
            self.tk.status = s
            self.tk.status_since = self.now
            if s == "solved":
                self.tk.solved_at = self.now

    # condition helpers
    def changed(self, attr):
        return getattr(self.tk, attr) != getattr(self.base, attr)

    def changed_to(self, attr, v):
        return getattr(self.tk, attr) == v and getattr(self.base, attr) != v


def prio_lt(p, v):
    return p is not None and PRIORITY_ORDER.index(p) < PRIORITY_ORDER.index(v)


def prio_gt(p, v):
    return p is not None and PRIORITY_ORDER.index(p) > PRIORITY_ORDER.index(v)


def word_in(text, w):
    return text is not None and re.search(r"(?i)\b%s\b" % re.escape(w), text) is not None


def contains(text, s):
    return text is not None and s.lower() in text.lower()


ORDER_RE = re.compile(r"(?i)\border\W*(number\W*)?\d\d\d\d+")
SPAM_RE = re.compile(r"(?i)(crypto giveaway|claim your prize)")


def _set(c, **kv):
    for k, v in kv.items():
        setattr(c.tk, k, v)


# (title, condition, action) in file order: rules/examples/10-, 20-, 30-*.rules
TRIGGERS = [
    ("Seoul customers go to the Seoul desk",
     lambda c: c.created and (c.tk.req["phone"] or "").startswith("+82"),
     lambda c: _set(c, group="Seoul desk", schedule="Seoul desk")),
    ("Payment questions belong to Acme Pay",
     lambda c: c.created and (contains(c.tk.subject, "payment") or word_in(c.comment, "wallet")),
     lambda c: _set(c, brand="Acme Pay", group="Billing")),
    ("Order problems use the order form",
     lambda c: c.user == "end_user" and c.comment is not None and ORDER_RE.search(c.comment) is not None
     and "order_id" not in c.tk.fields and "order_mentioned" not in c.tk.tags,
     lambda c: (_set(c, form="Order issue", type="incident"), c.tk.tags.add("order_mentioned"))),
    ("VIP requesters get high priority",
     lambda c: c.created and "vip" in c.tk.req["tags"] and (c.tk.priority is None or prio_lt(c.tk.priority, "high")),
     lambda c: (_set(c, priority="high"), c.notify("group"))),
    ("Billing tickets go to Priya",
     lambda c: c.changed_to("group", "Billing") and not c.tk.assignee,
     lambda c: _set(c, assignee="Priya Shah")),
    ("Park obvious spam",
     lambda c: c.user == "end_user" and c.comment is not None and SPAM_RE.search(c.comment) is not None,
     lambda c: (setattr(c.tk, "tags", {"spam"}), _set(c, priority="low", group="Triage"), c.note(""))),
    ("Tag new WhatsApp tickets",
     lambda c: c.created and c.tk.channel == "whatsapp",
     lambda c: c.tk.tags.update({"whatsapp", "messaging"})),
    ("Out-of-hours reply on WhatsApp",
     lambda c: c.created and c.tk.channel == "whatsapp" and c.user == "end_user"
     and not within_business(c.tk.schedule or DEFAULT_SCHEDULE, c.now),
     lambda c: (c.tk.tags.add("after_hours"), c.send_text("Hi {{requester.first_name}}, thanks for your message!"))),
    ("Escalate refund requests",
     lambda c: c.tk.channel == "whatsapp" and c.user == "end_user" and contains(c.comment, "refund") and c.public
     and ("vip" in c.tk.req["tags"] or c.tk.priority == "high"),
     lambda c: (_set(c, priority="urgent", group="Billing"), c.tk.fields.__setitem__("escalation_reason", "refund"),
                c.send_text("Thanks {{requester.first_name}}, a billing specialist will reply shortly."))),
    ("Ask for a screenshot when a message was forwarded",
     lambda c: c.forwarded and c.user == "end_user",
     lambda c: (c.tk.tags.add("forwarded"), c.tk.fields.__setitem__("needs_screenshot", True),
                c.send_text("We only received the forwarded message."))),
    ("Flag WhatsApp attachments",
     lambda c: c.tk.channel == "whatsapp" and c.user == "end_user" and c.attachments,
     lambda c: (c.tk.tags.add("has_attachment"), c.note(""))),
    ("Re-engage a customer with an approved template",
     lambda c: c.tk.channel == "whatsapp" and "reengage" in c.tk.tags,
     lambda c: (c.send_template("order_followup", "en_US", ["{{ticket.id}}"]), c.tk.tags.discard("reengage"))),
    ("Flag pending WhatsApp tickets whose window has closed",
     lambda c: c.tk.channel == "whatsapp" and c.changed_to("status", "pending") and not c.tk.window_open(c.now),
     lambda c: (c.tk.tags.add("needs_template"), c.note(""))),
    ("Acknowledge new email and web requests",
     lambda c: c.created and c.tk.channel in ("email", "web"),
     lambda c: (c.send_text("Hi {{requester.first_name}}, we received your request {{ticket.id}}"), c.notify("requester"))),
    ("Tell the assignee when the customer replies",
     lambda c: not c.created and c.user == "end_user" and c.comment is not None and c.public and bool(c.tk.assignee),
     lambda c: c.notify("assignee")),
    ("Mark tickets reopened by the customer",
     lambda c: c.base.status == "solved" and c.tk.status != "solved" and c.user == "end_user",
     lambda c: (c.tk.tags.add("reopened"), c.note(""))),
    ("Confirm solved requests",
     lambda c: c.changed_to("status", "solved"),
     lambda c: (c.send_text("{{requester.first_name}}, we marked {{ticket.id}} as solved."), c.notify("requester"))),
    ("Page the on-call lead for urgent tickets",
     lambda c: c.changed("priority") and prio_gt(c.tk.priority, "high"),
     lambda c: c.notify("webhook")),
    ("Escalate from an internal note",
     lambda c: c.user == "agent" and c.comment is not None and not c.public and word_in(c.comment, "escalate"),
     lambda c: (_set(c, priority="urgent"), c.tk.tags.add("escalated_by_agent"))),
    ("Send bad ratings to the team leads",
     lambda c: c.changed_to("satisfaction", "bad"),
     lambda c: (c.tk.tags.add("csat_bad"), c.notify("group"))),
    ("Log status changes made by the order system",
     lambda c: c.via == "api" and c.changed("status"),
     lambda c: c.note("")),
    ("Tell the customer their order was delivered",
     lambda c: c.tk.fields.get("delivery_status") == "delivered" and c.base.fields.get("delivery_status") != "delivered",
     lambda c: c.send_text("Good news {{requester.first_name}}: order {{ticket.fields.order_id}} has been delivered.")),
]


def hours_since(ts, now):
    return None if ts is None else int((now - ts).total_seconds() // 3600)


AUTOMATIONS = [
    ("Nudge before the WhatsApp window closes",
     lambda c: c.tk.channel == "whatsapp" and c.tk.status == "pending" and (hours_since(c.tk.anchor, c.now) or 0) > 20
     and c.tk.window_open(c.now) and "nudged" not in c.tk.tags,
     lambda c: (c.send_text("Are you still there, {{requester.first_name}}?"), c.tk.tags.add("nudged"))),
    ("Suggest a template when the window has closed",
     lambda c: c.tk.channel == "whatsapp" and c.tk.status == "pending" and not c.tk.window_open(c.now)
     and c.tk.req["opted_in"] and "reengage_suggested" not in c.tk.tags,
     lambda c: (c.tk.tags.add("reengage_suggested"), c.note(""))),
    ("Escalate after 8 business hours without an agent",
     lambda c: c.tk.status == "open" and c.model.req_update_ok(c.tk)
     and business_seconds(c.tk.schedule or DEFAULT_SCHEDULE, c.tk.req_update, c.now) // 3600 > 8
     and "escalated" not in c.tk.tags and (c.tk.priority is None or prio_lt(c.tk.priority, "high")),
     lambda c: (_set(c, priority="high"), c.tk.tags.add("escalated"), c.notify("group"))),
    ("Remind the assignee about tickets on hold",
     lambda c: c.tk.status == "hold" and hours_since(c.tk.status_since, c.now) > 24 and "hold_reminded" not in c.tk.tags,
     lambda c: (c.tk.tags.add("hold_reminded"), c.notify("assignee"))),
    ("Offer the satisfaction survey a day after solving",
     lambda c: c.tk.status == "solved" and hours_since(c.tk.solved_at, c.now) > 24 and c.tk.satisfaction == "unoffered",
     lambda c: (_set(c, satisfaction="offered"), c.notify("webhook"))),
    ("Close solved tickets after 4 days",
     lambda c: c.tk.status == "solved" and hours_since(c.tk.solved_at, c.now) > 96,
     lambda c: c.set_status("closed")),
]


class Model:
    def __init__(self, license_=True):
        self.license = license_
        self.tickets = {}
        self.order = []
        self.clock = None
        self.seen_ids = set()
        self.wamids = {}
        self.records = []   # (line, status, [per-ticket dicts] or error, warnings)
        self.runs = []      # (time, [(ticket, fired, messages)])

    def req_update_ok(self, tk):
        if tk.req_update is None:
            raise AssertionError("A3 would need requester_update of %s, which only ticket.created set" % tk.id)
        return True

    # -- guards (whatsapp.md W4-W12, W15) --
    def guard(self, tk, now, source, text=None, template=None):
        if template is None and text is not None:
            template = parse_shorthand(text)
        if template is not None:
            name, lang, params = template
            if source.startswith("automation:"):
                return ("template", "blocked", "automation_template_unsupported")
            if not self.license:
                return ("template", "blocked", "templates_require_license")
            if tk.channel != "whatsapp":
                return ("template", "blocked", "template_not_supported_on_channel")
            if TEMPLATES.get((name, lang)) != len(params):
                return ("template", "blocked", "template_not_approved")
            if tk.window_open(now):
                return ("template", "delivered", None)
            if not tk.req["opted_in"]:
                return ("template", "blocked", "not_opted_in")
            return ("template", "delivered", None)
        if tk.channel != "whatsapp" or tk.window_open(now):
            return ("text", "delivered", None)
        closed = None if tk.anchor is None else iso(tk.anchor + timedelta(hours=24))
        return ("text", "blocked", "outside_24h_window" + ("" if closed is None else " (closed " + closed + ")"))

    def cycle(self, c):
        if c.base.status == "closed":
            return
        fired = set()
        while True:
            for title, cond, act in TRIGGERS:
                if title in fired:
                    continue
                if cond(c):
                    c.source = "trigger:" + title
                    act(c)
                    fired.add(title)
                    c.fired.append("trigger:" + title)
                    break
            else:
                return

    def new_ticket(self, tid, channel, at, req):
        tk = Ticket(tid, channel)
        tk.status = "new"
        tk.status_since = at
        tk.created_at = at
        tk.satisfaction = "unoffered"
        if req:
            tk.req.update({k: v for k, v in req.items() if k in ("name", "phone", "email", "opted_in")})
            tk.req["tags"] = set(req.get("tags", []))
        tk.seq = len(self.order)
        self.tickets[tid] = tk
        self.order.append(tid)
        return tk

    def run_automations(self, until):
        if self.clock is None:
            return
        nxt = self.clock.replace(minute=0, second=0) + timedelta(hours=1)
        while nxt <= until:
            out = []
            for tid in self.order:
                tk = self.tickets[tid]
                if tk.status == "closed":
                    continue
                for title, cond, act in AUTOMATIONS:
                    c = Ctx(self, tk, None, nxt, "system", "automation", False)
                    if cond(c):
                        c.base = copy.deepcopy(tk)
                        c.source = "automation:" + title
                        act(c)
                        fired_auto = ["automation:" + title]
                        self.cycle(c)
                        out.append((tid, fired_auto + c.fired, c.messages))
            if out:
                self.runs.append((nxt, out))
                self.records.append(("run", iso(nxt), out))
            self.clock = nxt
            nxt += timedelta(hours=1)

    def apply_changes(self, tk, ch, at):
        if "status" in ch:
            s = ch["status"]
            if tk.status != s:
                tk.status = s
                tk.status_since = at
                if s == "solved":
                    tk.solved_at = at
        for k in ("priority", "group", "assignee", "type", "form", "brand", "schedule", "subject", "satisfaction"):
            if k in ch:
                setattr(tk, k, ch[k])
        tk.tags.update(ch.get("add_tags", []))
        tk.tags.difference_update(ch.get("remove_tags", []))
        if "set_tags" in ch:
            tk.tags = set(ch["set_tags"])
        tk.fields.update(ch.get("fields", {}))

    def would_solve_without_assignee(self, tk, ch):
        status = ch.get("status", tk.status)
        assignee = ch["assignee"] if "assignee" in ch else tk.assignee
        return status == "solved" and not assignee

    def inbound(self, line, ref, at, sent, text, channel, req, forwarded, attachments, redactions):
        """An end-user message; returns a per-ticket record."""
        created = False
        if ref.startswith("wa:"):
            wa = ref[3:]
            cands = [tid for tid in self.order if self.tickets[tid].channel == "whatsapp"
                     and self.tickets[tid].status != "closed" and self.tickets[tid].req["phone"] == "+" + wa]
            if cands:
                tid = cands[-1]
            else:
                tid = ref
                channel = "whatsapp"
        else:
            tid = ref
        tk = self.tickets.get(tid)
        extra_tags = set()
        if tk is not None and tk.status == "closed":
            n = 2
            while "%s/%d" % (tid, n) in self.tickets:
                n += 1
            old = tk
            tid = "%s/%d" % (tid, n)
            tk = None
            channel = old.channel
            req = {"name": old.req["name"], "phone": old.req["phone"], "email": old.req["email"],
                   "opted_in": old.req["opted_in"], "tags": sorted(old.req["tags"])}
            extra_tags = {"followup"}
        if tk is None:
            if channel is None:
                raise AssertionError("line %d: message for unknown ticket without channel" % line)
            base = Ticket()
            tk = self.new_ticket(tid, channel, at, req)
            tk.tags |= extra_tags
            created = True
        else:
            base = copy.deepcopy(tk)
        fired = []
        if tk.channel == "whatsapp":
            tk.anchor = sent if tk.anchor is None else max(tk.anchor, sent)
        tk.req_update = at if tk.req_update is None else max(tk.req_update, at)
        if tk.status in ("pending", "hold", "solved"):
            tk.status = "open"
            tk.status_since = at
            fired.append("system:reopen")
        if redactions and tk.channel in SOCIAL:
            tk.tags.add("system_credit_card_redaction")
            fired.append("redaction:Credit card numbers on social messaging")
        c = Ctx(self, tk, base, at, "end_user", tk.channel, created, comment=text, public=True,
                forwarded=forwarded, attachments=attachments)
        c.fired = fired
        self.cycle(c)
        return {"ticket": tid, "fired": c.fired, "messages": c.messages, "redactions": redactions or 0}

    def apply(self, line, it):
        meta = it["meta"]
        text = it["text"]
        warnings = []
        if meta.get("blank"):
            self.records.append((line, "blank", None, []))
            return
        try:
            obj = json.loads(text)
        except ValueError:
            self.records.append((line, "rejected", "invalid JSON", []))
            assert meta.get("reject"), line
            return
        if obj.get("object") == "whatsapp_business_account":
            value = obj["entry"][0]["changes"][0]["value"]
            items = [("m", m) for m in value.get("messages", []) if m["type"] in ("text", "image")]
            items += [("s", s) for s in value.get("statuses", [])]
            if not items:
                self.records.append((line, "rejected", "webhook payload with no usable item", []))
                assert meta.get("reject"), line
                return
            times = [int(i["timestamp"]) for _, i in items]
            at = datetime.fromtimestamp(max(times), UTC)
            event_id = items[0][1]["id"]
        else:
            at_s = obj.get("at")
            try:
                at = datetime.strptime(at_s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            except (TypeError, ValueError):
                self.records.append((line, "rejected", "bad at", []))
                assert meta.get("reject"), line
                return
            event_id = obj.get("id") or "line:%d" % line
            if obj["type"] not in ("ticket.created", "message.received", "agent.reply", "ticket.updated", "clock"):
                self.records.append((line, "rejected", "unknown event type", []))
                assert meta.get("reject"), line
                return
            if obj["type"] != "clock" and "ticket" not in obj:
                self.records.append((line, "rejected", "missing ticket", []))
                assert meta.get("reject"), line
                return
            if event_id in self.seen_ids:
                self.records.append((line, "duplicate", event_id, []))
                assert meta.get("duplicate"), line
                return
        # validity checks that reject without moving the clock
        typ = obj.get("type", "webhook")
        if typ in ("agent.reply", "ticket.updated"):
            tk = self.tickets.get(obj["ticket"])
            if tk is None:
                self.records.append((line, "rejected", "unknown ticket " + obj["ticket"], []))
                assert meta.get("reject"), line
                return
            if self.would_solve_without_assignee(tk, obj.get("changes", {})):
                self.records.append((line, "rejected", "solved without assignee (S1)", []))
                assert meta.get("reject"), line
                return
        if typ == "ticket.created" and obj["ticket"]["id"] in self.tickets:
            self.records.append((line, "rejected", "ticket id exists", []))
            assert meta.get("reject"), line
            return
        assert not meta.get("reject"), "line %d should have been rejected" % line
        self.seen_ids.add(event_id)
        # clock (S18)
        if self.clock is None:
            self.clock = at
        self.run_automations(at)
        if at < self.clock:
            warnings.append("out of time order (clock %s)" % iso(self.clock))
            assert meta.get("out_of_order"), line
        else:
            assert not meta.get("out_of_order"), line
            self.clock = at
        recs = []
        if typ == "webhook":
            contacts = {c["wa_id"]: c["profile"]["name"] for c in value.get("contacts", [])}
            for kind, item in items:
                if kind == "m":
                    wa = item["from"]
                    sent = datetime.fromtimestamp(int(item["timestamp"]), UTC)
                    if item["type"] == "text":
                        body, att = item["text"]["body"], False
                    else:
                        body, att = item["image"].get("caption", ""), True
                    red = meta.get("redactions", 0)
                    if isinstance(red, dict):
                        red = red.get("wa:" + wa, 0)
                    recs.append(self.inbound(line, "wa:" + wa, at, sent, body, None,
                                             {"name": contacts.get(wa), "phone": "+" + wa, "opted_in": False},
                                             bool(item.get("context", {}).get("forwarded")), att, red))
                else:
                    w = item["id"]
                    if w not in self.wamids:
                        warnings.append("status for unknown wamid")
                        assert meta.get("unknown_wamid"), line
                        recs.append({"ticket": None, "status": item["status"]})
                        continue
                    tid = self.wamids[w]
                    if item["status"] == "failed":
                        code = item["errors"][0]["code"]
                        reason = "outside_24h_window" if code == 131047 else "platform_error %d" % code
                        recs.append({"ticket": tid, "messages": [("delivery update", "text", "failed", reason)]})
                    else:
                        recs.append({"ticket": tid, "status": item["status"]})
        elif typ == "clock":
            pass
        elif typ == "ticket.created":
            o = obj["ticket"]
            tk = self.new_ticket(o["id"], o["channel"], at, o.get("requester"))
            if tk.channel == "whatsapp":
                # `current_user` on ticket.created is not specified; the scripted ones
                # happen during business hours so the out-of-hours trigger cannot fire.
                assert within_business(DEFAULT_SCHEDULE, at), line
            for k in ("subject", "priority", "group", "assignee", "form", "brand", "schedule", "type"):
                if k in o:
                    setattr(tk, k, o[k])
            tk.tags |= set(o.get("tags", []))
            tk.fields.update(o.get("fields", {}))
            if "status" in o:
                self.apply_changes(tk, {"status": o["status"]}, at)
            fired = []
            red = meta.get("redactions", 0)
            if red and tk.channel in SOCIAL:
                tk.tags.add("system_credit_card_redaction")
                fired.append("redaction:Credit card numbers on social messaging")
            c = Ctx(self, tk, Ticket(), at, "agent", tk.channel, True)
            c.fired = fired
            self.cycle(c)
            recs.append({"ticket": tk.id, "fired": c.fired, "messages": c.messages, "redactions": red})
        elif typ == "message.received":
            ref = obj["ticket"]
            sent = datetime.strptime(obj["sent_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) if "sent_at" in obj else at
            recs.append(self.inbound(line, ref, at, sent, obj.get("text", ""), obj.get("channel"), obj.get("requester"),
                                     obj.get("forwarded", False), bool(obj.get("attachments")), meta.get("redactions", 0)))
        elif typ == "agent.reply":
            tk = self.tickets[obj["ticket"]]
            base = copy.deepcopy(tk)
            ch = obj.get("changes", {})
            self.apply_changes(tk, ch, at)
            source = obj["via"]
            public = obj.get("public", True)
            if not public:
                own = (source, "note", "recorded", None)
            elif "template" in obj:
                tp = obj["template"]
                own = (source,) + self.guard(tk, at, source, template=(tp["name"], tp["language"], tp.get("params", [])))
            else:
                own = (source,) + self.guard(tk, at, source, text=obj["text"])
            exp = meta.get("expect")
            got = own[2] if own[3] is None else "%s:%s" % (own[2], own[3].split(" ")[0])
            if exp == "delivered:template":
                assert own[1] == "template" and own[2] == "delivered", (line, own)
            elif exp is not None:
                assert got == exp, "line %d: expected %s, model says %s" % (line, exp, got)
            if obj.get("wamid"):
                assert own[2] == "delivered", line
                self.wamids[obj["wamid"]] = tk.id
            c = Ctx(self, tk, base, at, "agent", source, False, comment=obj.get("text"), public=public)
            c.messages = [own]
            self.cycle(c)
            recs.append({"ticket": tk.id, "fired": c.fired, "messages": c.messages})
        elif typ == "ticket.updated":
            tk = self.tickets[obj["ticket"]]
            base = copy.deepcopy(tk)
            self.apply_changes(tk, obj["changes"], at)
            by = obj["by"]
            user = {"agent": "agent", "end_user": "end_user", "api": "api", "system": "system"}[by]
            via = tk.channel if by == "end_user" else by
            if by == "end_user":
                tk.req_update = at
            c = Ctx(self, tk, base, at, user, via, False)
            self.cycle(c)
            recs.append({"ticket": tk.id, "fired": c.fired, "messages": c.messages})
        self.records.append((line, "ok", recs, warnings))


def describe_msgs(msgs):
    out = []
    for source, kind, delivery, reason in msgs:
        s = "%s %s %s" % (source, kind, delivery)
        if reason:
            s += " (%s)" % reason
        out.append(s)
    return out


def print_index(lines, model, out):
    """One line per input line (and per ticket it concerns), automation runs in between."""
    for rec in model.records:
        if rec[0] == "run":
            for tid, fired, msgs in rec[2]:
                out.write("   run %s  %-18s %s | %s\n" % (rec[1], tid, ", ".join(f.split(":", 1)[1] for f in fired),
                                                         "; ".join(describe_msgs(msgs))))
            continue
        n, status, payload, warnings = rec
        label = lines[n - 1]["meta"].get("label", "")
        if status == "blank":
            out.write("%4d  (blank line: no output)\n" % n)
            continue
        if status != "ok":
            out.write("%4d  %s: %s   [%s]\n" % (n, status.upper(), payload, label))
            continue
        if not payload:
            out.write("%4d  (%s)\n" % (n, label))
        for r in payload:
            bits = []
            if r.get("redactions"):
                bits.append("redactions=%d" % r["redactions"])
            if r.get("fired"):
                bits.append("fired: " + ", ".join(f.split(":", 1)[-1] if f.startswith("trigger:") else f
                                                  for f in r["fired"]))
            if r.get("messages"):
                bits.append("msgs: " + "; ".join(describe_msgs(r["messages"])))
            if r.get("status"):
                bits.append("status " + r["status"])
            out.write("%4d  %-18s %s   [%s]\n" % (n, r["ticket"], " | ".join(bits), label))
        for w in warnings:
            out.write("      WARNING %s\n" % w)


def replay(lines, license_=True):
    model = Model(license_)
    for n, it in enumerate(lines, 1):
        model.apply(n, it)
    return model


def unlicensed(rng):
    """examples/unlicensed/events.jsonl: the same guards with conversations_license: false (W7)."""
    d = Day(rng, id_prefix="evu-")
    d.message(t(23, "09:00"), "T-3001", "Hi, has my order 90017 shipped yet?", channel="whatsapp",
              requester=person("u-ruth", "Ruth Adler", phone="+15550100301", opted_in=True), label="U1")
    d.reply(t(23, "09:10"), "T-3001", "ana", text="Hi Ruth, it ships tomorrow morning.", wamid=d.wamid("15550100301", True),
            changes={"status": "pending", "assignee": "Ana Ruiz"}, label="U1 free text inside the window", expect="delivered")
    d.reply(t(24, "10:00"), "T-3001", "ana", text="Your order 90017 is on its way!",
            label="U1 free text outside the window", expect="blocked:outside_24h_window")
    d.reply(t(24, "10:05"), "T-3001", "ana", template=("order_followup", "en_US", ["90017"]),
            label="U1 approved template, opted in, but no license (W7)", expect="blocked:templates_require_license")
    d.message(t(24, "09:30"), "T-3002", "Can I pick up my order at the store?", channel="whatsapp",
              requester=person("u-sam", "Sam Ortiz", phone="+15550100302"), label="U2")
    d.reply(t(24, "09:40"), "T-3002", "ben", template=("order_followup", "en_US", ["T-3002"]),
            label="U2 template inside the window: the license is checked first", expect="blocked:templates_require_license")
    d.reply(t(24, "09:45"), "T-3002", "ben", via="macro", text=SHORTHAND_OK,
            label="U2 template shorthand in a macro (W15 + W7)", expect="blocked:templates_require_license")
    d.reply(t(24, "09:50"), "T-3002", "ben", text="Yes, collection is free at every store.", wamid=d.wamid("15550100302", True),
            changes={"status": "solved", "assignee": "Ben Okafor"}, label="U2 free text still works", expect="delivered")
    d.created(t(24, "10:10"), {"id": "T-3003", "channel": "email", "subject": "Invoice copy",
                                "requester": person("u-lee", "Lee Park", email="lee.park@example.com")}, label="U3")
    d.reply(t(24, "10:20"), "T-3003", "olu", text="Attached is a copy of your invoice.",
            changes={"status": "solved", "assignee": "Olu Adeyemi"}, label="U3 email: no window, no license needed",
            expect="delivered")
    return d


def main(argv):
    rng = random.Random(SEED)
    if "--unlicensed" in argv:
        d = unlicensed(rng)
        lines = d.lines()
        model = replay(lines, license_=False)
    else:
        d = Day(rng)
        scripted(d)
        everyday(d, rng, 36)
        lines = d.lines()
        model = replay(lines)
    if "--index" in argv:
        print_index(lines, model, sys.stderr)
    if "--unlicensed" not in argv:
        # what examples/README.md promises about the day
        assert len([it for it in lines if it["text"].strip()]) >= 300
        assert len(model.order) >= 40
        ids = [json.loads(it["text"]).get("id") for it in lines if it["text"].startswith('{"type"')
               and it["text"].endswith("}")]
        ids = [i for i in ids if i]
        assert len(ids) - len(set(ids)) == 1, "exactly one deliberate duplicate id"
    text = "\n".join(it["text"] for it in lines) + "\n"
    sys.stdout.write(text)
    tickets = len(model.order)
    sys.stderr.write("make_day: %d lines, %d tickets, %d automation runs with updates\n"
                     % (len(lines), tickets, len(model.runs)))


if __name__ == "__main__":
    main(sys.argv[1:])

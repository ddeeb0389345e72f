/**
 * The words the parser knows: weighted intent keywords, phrases, kind words and stop-words.
 * Weights make mixed questions resolve the way an on-call engineer means them: a protocol
 * ("kafka", "grpc") outweighs the verb ("dropped"); a specific symptom outweighs a generic
 * one ("errors", "wrong"); ties go to the more specific playbook (see INTENT_ORDER).
 */
import type { Intent } from "../model/question.js";

export type Weights = Partial<Record<Intent, number>>;

/** Tie-break order: the more specific playbook first, the fallbacks last. */
export const INTENT_ORDER: readonly Intent[] = ["dns", "l7", "drops", "traffic", "health", "triage", "help"];

const dns = (n: number): Weights => ({ dns: n });
const drops = (n: number): Weights => ({ drops: n });
const traffic = (n: number): Weights => ({ traffic: n });
const health = (n: number): Weights => ({ health: n });
const l7 = (n: number): Weights => ({ l7: n });
const triage = (n: number): Weights => ({ triage: n });
const help = (n: number): Weights => ({ help: n });

function each(words: string, w: Weights): [string, Weights][] {
  return words.split(/\s+/).filter(Boolean).map((word) => [word, w]);
}

/** Single-word keywords (matched whole, after lower-casing and trimming punctuation). */
export const KEYWORDS: ReadonlyMap<string, Weights> = new Map<string, Weights>([
  // DNS: the rcodes and the resolver vocabulary.
  ...each("dns nslookup rcode rcodes nameserver nameservers ndots", dns(3)),
  ...each("nxdomain servfail noerror", dns(4)),
  ...each("resolve resolves resolving resolver resolvers resolution", dns(2.5)),
  ...each("resolved lookup lookups fqdn cname aaaa resolv.conf resolutions", dns(2)),
  ...each("coredns kube-dns node-local-dns", dns(2)),
  ...each("domain domains queries", dns(1.5)),
  ...each("query queried hostname hostnames refused", dns(1)),
  ...each("unanswered", dns(2)),
  // Drops: verdicts, policy, connectivity.
  ...each("drop drops dropped dropping", drops(3)),
  ...each("blocked blocking unreachable conntrack netpol netpols networkpolicy networkpolicies", drops(3)),
  ...each("block blocks deny denied denies denying iptables firewall firewalls connectivity", drops(2.5)),
  ...each("policy policies timeout timeouts reject rejected rejecting reachable loss", drops(2)),
  ...each("lost", drops(1.5)),
  ...each("packet packets", drops(1)),
  // Traffic: distribution, top talkers, resets.
  ...each("imbalance imbalances imbalanced unbalanced balanced uneven unevenly skew skews skewed lopsided talkers talker", traffic(3)),
  ...each("rst rsts reset resets resetting", traffic(3)),
  ...each("balance balances balancing busiest hotspot hotspots hottest hotter hammered hammering", traffic(2.5)),
  ...each("bandwidth throughput distribution", traffic(2)),
  ...each("traffic load loads volume spread", traffic(1.5)),
  ...each("flows flow talk talks talking talked", traffic(1)),
  // Health: cluster/node overview, TCP states, bytes by node.
  ...each("health healthy overview overviews", health(3)),
  ...each("syn_sent syn-sent syn_recv syn-recv time_wait time-wait close_wait close-wait fin_wait fin-wait", health(4)),
  ...each("retransmits retransmit retransmission retransmissions", health(2.5)),
  ...each("unhealthy summary dashboard dashboards nodes established", health(2)),
  ...each("status", health(1.5)),
  ...each("cluster states state stuck interface interfaces", health(1)),
  ...each("node network doing ok okay fine", health(0.5)),
  // L7: protocols, status classes, latency.
  ...each("grpc kafka l7 4xx 5xx", l7(4)),
  ...each("http latency latencies p50 p90 p95 p99", l7(3)),
  ...each("https 2xx 3xx slow slowness sluggish rpc forbidden unauthorized topic topics", l7(2)),
  ...each("endpoint endpoints url urls consumer consumers producer producers", l7(1.5)),
  ...each("request requests response responses message messages path paths", l7(1)),
  // Triage: open questions.
  ...each("triage rca", triage(4)),
  ...each("investigate investigates investigated investigation investigations diagnose diagnosed diagnoses diagnosis troubleshoot unusual anomaly anomalies anomalous", triage(3)),
  ...each("wrong weird strange suspicious", triage(2.5)),
  ...each("odd debug outage outages incident incidents", triage(2)),
  ...each("broken problem problems issue issues", triage(1.5)),
  ...each("error errors failing failure failures fails failed happening happened changed change changes", triage(1)),
  // Help.
  ...each("help helps capabilities", help(1.5)),
  ...each("commands usage examples", help(1)),
  ...each("hello hi hey", help(0.5)),
  // Both traffic and health look at TCP.
  ["tcp", { traffic: 0.5, health: 0.5 }],
  ["bytes", { health: 1.5, traffic: 1 }],
]);

/**
 * Keywords a typo may be corrected into: letters only, 3+ long, and worth it (weight ≥ 1);
 * correcting "fien" into "fine" would add nothing but risk.
 */
export const FUZZY_TARGETS: readonly string[] = [...KEYWORDS]
  .filter(([k, w]) => /^[a-z_]{3,}$/.test(k) && Math.max(...Object.values(w)) >= 1)
  .map(([k]) => k);

/**
 * Symptoms without a subject ("errors", "broken", "not working"): they make an open
 * question triage, but give way to any specific keyword ("dns failures" is dns, whatever
 * else the sentence says).
 */
export const GENERIC_SYMPTOMS: ReadonlySet<string> = new Set(
  "broken problem problems issue issues error errors failing failure failures fails failed happening happened changed change changes".split(" "),
);

/** Keywords that are also common workload names ("from coredns", "the kafka pods"). */
export const NAMEABLE_KEYWORDS: ReadonlySet<string> = new Set(["coredns", "kube-dns", "node-local-dns", "kafka"]);

/** An HTTP status (or a plural "503s") weighs like "5xx". */
export const HTTP_STATUS = /^[45]\d\ds?$/;

/**
 * Phrases, matched on the joined words before the single words. A phrase consumes its
 * words, so "connection refused" is a drop and its "refused" no longer counts for DNS.
 */
export const PHRASES: readonly { re: RegExp; w: Weights }[] = [
  { re: /\bname[- ]resolution\b/, w: dns(4) },
  { re: /\b(?:can'?t|cannot|can not|couldn'?t|unable to|fails? to|failing to|failed to|not) resolv(?:e|ing)\b/, w: dns(4) },
  { re: /\bno such host\b/, w: dns(4) },
  { re: /\bmissing (?:dns )?(?:responses|replies|answers)\b/, w: dns(2) },
  // Lookups that get no answer at all (a silent DNS server or upstream).
  { re: /\b(?:name |dns )?(?:lookups?|queries|requests)(?: are| is)? (?:not |never )?(?:being )?(?:answered|unanswered|getting no (?:answer|reply|response)s?|hang(?:ing|s)?|going unanswered)\b/, w: dns(3) },
  { re: /\bname lookups?\b/, w: dns(3) },
  { re: /\b(?:connections?|conns?) (?:was |were |is |are |being |getting |get )?refused\b/, w: drops(5) },
  // "nvm dns is fine, it's drops": a topic ruled out counts for nothing.
  { re: /\b(?:dns|drops|traffic|latency|http|the network|network) (?:is|are|looks?|seems?) (?:fine|ok|okay|good|healthy|not the (?:problem|issue|cause))\b/, w: {} },
  { re: /\bno route to host\b/, w: drops(4) },
  { re: /\b(?:can'?t|cannot|can not|couldn'?t|unable to|not able to|fails? to|failing to|failed to|won'?t|doesn'?t|does not|didn'?t|did not|isn'?t able to) (?:even |really |still |ever |always |properly |seem to |seems to )?(?:talk|reach|connect|access|communicate|ping|hit|call|get to)\b/, w: drops(3.5) },
  // "why can't frontend reach backend": the word in the middle is a name, not part of the phrase.
  { re: /\b(?:can'?t|cannot|couldn'?t|won'?t|doesn'?t|didn'?t) (?<name>\S+) (?:talk|reach|connect|access|communicate|ping|hit|call|get to)\b/, w: drops(3.5) },
  { re: /\bnetwork polic(?:y|ies)\b/, w: drops(3) },
  { re: /\bpolicy[ _-]denied\b/, w: drops(4) },
  { re: /\bpacket loss\b/, w: drops(4) },
  { re: /\btim(?:e|es|ing|ed) ?outs?\b/, w: drops(2) },
  { re: /\btop talkers?\b/, w: traffic(4) },
  // Load spread: one pod taking most of a workload's share.
  { re: /\b(?:gets?|getting|got|receives?|receiving|takes?|taking|handles?|handling|serves?|serving|does|doing|hogs?|hogging) (?:most|all|nearly all|almost all|the bulk|the lion'?s share|way more) (?:of )?(?:the |its )?(?:traffic|connections?|conns|requests|reqs|load|flows|work|calls)\b/, w: traffic(4) },
  { re: /\b(?:land|lands|landing|go|goes|going|ends? up|hit|hits|hitting|routed|sent) (?:on|to) (?:one|a single|the same|only one) (?:pod|replica|instance|backend|endpoint)\b/, w: traffic(4) },
  { re: /\b(?:single|one|1) (?:replica|pod|instance|backend) (?:is )?(?:doing|getting|taking|handling|serving)\b/, w: traffic(4) },
  { re: /\b(?:hot|hottest) (?:pod|replica|instance|spot)\b/, w: traffic(3) },
  { re: /\bmost (?:connections|conns|requests|traffic|load)\b/, w: traffic(3) },
  { re: /\b(?:most|least|more|less) traffic\b/, w: traffic(3) },
  { re: /\btcp resets?\b/, w: traffic(4) },
  { re: /\bconnections? resets?\b/, w: traffic(4) },
  { re: /\breset by peer\b/, w: traffic(4) },
  { re: /\bwho (?:is |are )?(?:sending|talking|talks|calling|calls|sends)\b/, w: traffic(2) },
  { re: /\bload[- ]balanc(?:ing|ed|er)\b/, w: traffic(3) },
  { re: /\bhow(?:'s| is| are)(?: the| my| our)?(?: cluster| network| networking| nodes?| things| everything)* (?:doing|looking)\b/, w: health(3) },
  // "how is checkout doing?": an open question about one thing.
  { re: /\bhow(?:'s| is| are)(?: the)? (?<name>\S+) (?:doing|looking)\b/, w: triage(2) },
  { re: /\b(?:cluster|node|network) (?:network )?health\b/, w: health(4) },
  { re: /\bcluster network\b/, w: health(2) },
  { re: /\b(?:by|per) node\b/, w: health(1.5) },
  // "which node(s) …" ranks nodes: the node-level view, unless a stronger symptom says otherwise.
  { re: /\b(?:which|what|each|every|all) nodes?\b/, w: health(2) },
  { re: /\btcp (?:connections?|states?)\b/, w: health(2.5) },
  { re: /\bstatus codes?\b/, w: l7(3) },
  { re: /\b(?:get|post|put|delete|patch|head|options) (?:calls?|requests?|reqs|methods?|endpoints?)\b/, w: l7(2.5) },
  { re: /\bresponse times?\b/, w: l7(3) },
  { re: /\berror rates?\b/, w: l7(2.5) },
  { re: /\bfailed requests\b/, w: l7(2.5) },
  { re: /\b(?:bad gateway|service unavailable|internal server error|gateway timeout|too many requests)\b/, w: l7(3) },
  { re: /\blayer ?7\b/, w: l7(4) },
  { re: /\bwhat(?:'s| is|s)? (?:going )?wrong\b/, w: triage(3) },
  { re: /\bgoing on\b/, w: triage(2) },
  { re: /\broot[- ]cause\b/, w: triage(3) },
  { re: /\bnot working\b/, w: triage(1.5) },
  { re: /\blook into\b/, w: triage(2) },
  { re: /\bwhat (?:can|do) you do\b/, w: help(6) },
  { re: /\bhow (?:do i|to|can i) use\b/, w: help(5) },
  { re: /\bwhat can i ask\b/, w: help(5) },
  { re: /\b(?:who|what) are you\b/, w: help(4) },
];

/** Words that name a kind of object: "the orders deployment", "pod x", "node x". */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set([
  "deployment", "deployments", "deploy", "workload", "workloads", "statefulset", "statefulsets", "sts",
  "daemonset", "daemonsets", "replicaset", "service", "services", "svc", "app", "application",
  "pods", "replicas", "instances", "containers", "job", "cronjob",
]);
export const NAMESPACE_KINDS: ReadonlySet<string> = new Set(["namespace", "ns"]);
export const POD_KINDS: ReadonlySet<string> = new Set(["pod", "po"]);
export const NODE_KINDS: ReadonlySet<string> = new Set(["node", "no", "vm", "host"]);

/**
 * Function words: never a name, even right after "namespace" or "deployment"
 * ("which namespace has…", "the namespace with…").
 */
export const FUNCTION_WORDS: ReadonlySet<string> = new Set(
  `a an the this that these those it its it's i i'm me my mine we we're us our ours you you're your yours he she they they're them their
  there there's here what what's whats which who who's whom whose why how how's when where where's whether if then than so such
  some any anything everything something nothing all every each both either neither none no not nor or and but also just only
  even still yet already very too much many more most less least few lot lots other another same different whole entire own
  in on at to from for of with without within into onto over under between among across through during since until till after before
  about above below behind beside by via per against toward towards around near off out up down
  outside inside everywhere anywhere nowhere elsewhere somewhere
  is are was were be been being am do does did doing done have has had having can can't cant cannot could couldn't will won't
  would wouldn't shall should shouldn't may might must isn't aren't wasn't weren't don't doesn't didn't haven't hasn't hadn't
  ain't let let's please pls thanks thank ok okay yes yeah`.split(/\s+/),
);

/** Everyday verbs, adjectives, adverbs and numbers: not names even after "pod" or "deployment". */
export const EVERYDAY_WORDS: ReadonlySet<string> = new Set(
  `one two three four five six seven eight nine ten first second third last next previous top bottom
  get gets getting got gotten give gives giving see sees seeing saw seen show shows showing shown tell tells list find finding
  look looks looking check checks checking talk talks talking reach reaches reaching connect connects connecting connected
  call calls calling called send sends sending sent receive receives receiving received return returns returning returned
  make makes making go goes going went gone come comes coming keep keeps keeping want wants need needs know think seem
  seems seemed happen happens happening happened work works working worked use uses using used run runs running ran start
  started starting stop stopped stopping try trying tried fix fixing fixed explain access accessing hit hits hitting ping
  fail fails failing failed break breaks breaking broke broken cause causes causing caused respond responds responding
  resolve resolving resolved drop drops dropped dropping block blocked blocking deny denied reset resets stuck
  slow slower fast faster high higher highest low lower lowest big bigger biggest large small new old good bad normal
  unusual weird odd strange wrong right healthy unhealthy now today yesterday tonight recently lately currently again often
  sometimes always never really actually hi hello hey sure maybe likely possible mesh because due
  intermittently randomly suddenly constantly occasionally frequently repeatedly consistently probably
  probe probes liveness readiness restart restarts restarting crash crashes crashing crashloop oom spike spikes controller
  everyone anyone someone everybody anybody somebody me us them him her asap kind sort type way thing things stuff
  ask asking asked errs single only whole half most all none doing done being hottest hot busy busiest lot heavy heavily unanswered answered
  answer answering respond responding reply replying hang hangs hanging timing spiking spiky flaky flapping intermittent`.split(/\s+/),
);

/** Networking and Kubernetes nouns: not names when found only by position ("for the network"). */
export const DOMAIN_WORDS: ReadonlySet<string> = new Set(
  `network networks networking cluster clusters node nodes pod pods po namespace namespaces ns workload workloads
  deployment deployments deploy service services svc app apps application applications container containers replica replicas
  instance instances statefulset statefulsets sts daemonset daemonsets replicaset replicasets job jobs cronjob cronjobs
  traffic flow flows packet packets connection connections conn conns request requests response responses reply replies
  error errors failure failures issue issues problem problems latency latencies dns http https grpc tcp udp icmp ip ips ipv4 ipv6
  port ports protocol protocols address addresses host hosts hostname server servers client clients peer peers side sides
  source sources destination destinations dest src dst endpoint endpoints internet external internal upstream downstream
  ingress egress inbound outbound incoming outgoing data metrics metric logs log time times window minute minutes hour hours
  day days week weeks month min mins hr hrs sec secs rate rates count counts number numbers total average sum percent
  byte bytes volume load policy policies rule rules message messages query queries lookup lookups record records
  answer answers result results reason reasons example examples help status health overview summary verdict verdicts
  k8s kubernetes aks cilium hubble retina acns node-level cluster-wide pod-level l4 l7 layer level vm host
  name names call calls conn conns req reqs lookup lookups bot netrca channel thread`.split(/\s+/),
);

/** Chat filler and slang: never a name, never a topic ("wtf is going on in -n default"). */
export const FILLER_WORDS: ReadonlySet<string> = new Set(
  `wtf lol lmao lmfao rofl idk idc dunno asap pls plz plzz omg omfg ugh ughh argh halp ffs fml smh fyi btw imo imho tbh rn atm
  any1 some1 u ur ya yo sup guys folks yall y'all hmm hm hmmm eh meh damn dammit jeez geez wow whoa oof yikes uh um umm oh
  k kk thx ty cheers sorry sry hiya heya urgent urgently quick quickly real srsly seriously literally basically anyway
  sev1 sev2 sev3 p1 p2 nvm lmk brb bruh smth af sos w/`.split(/\s+/),
);

/** HTTP methods: the kind of request, never the name of a workload ("why are DELETE calls rejected"). */
export const HTTP_METHODS: ReadonlySet<string> = new Set(["get", "post", "put", "delete", "patch", "head", "options", "connect", "trace"]);

/** Written in capitals, an HTTP method points at L7. */
export const HTTP_METHOD_CAPS = /(?<![A-Za-z])(?:GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS)(?![A-Za-z])/;

/**
 * Stop-words for names found by position ("for x", "in x", "x pods"). Common service names
 * (cart, checkout, payment, search, orders, web, api, default) are deliberately absent.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set([...FUNCTION_WORDS, ...EVERYDAY_WORDS, ...DOMAIN_WORDS, ...FILLER_WORDS, ...HTTP_METHODS]);

/** Words that may stand between a preposition and a name: "for the checkout pods". */
export const ARTICLES: ReadonlySet<string> = new Set(["the", "a", "an", "my", "our", "this", "that", "their", "your", "its"]);

"""Every sentence a trace says, in English and Korean.

Pure core, no Django. A trace is made once and shown to every viewer, each in their own language,
so its sentences are not translated when the trace is made: each is a message id with parameters
(`Msg`), rendered here into every language at once. The trace keeps English in `text` / `reason`
/ `why` (the API's fields) and carries the other languages beside them:
`"i18n": {"ko": {"text": "…"}}`; hops and endings also carry `message` (id and parameters).

Kubernetes' own words stay as they are in both languages: field names (`nodePort`,
`externalTrafficPolicy`), chain and rule names, kinds in code (ClusterIP), ICMP and HTTP answers.
Korean templates put a particle only after Korean words (`{node} 노드가`), never straight after a
parameter, so they read right whatever the name or address is.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

LANGUAGES = ("en", "ko")
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != "en")

MESSAGES: dict[str, dict[str, str]] = {
    # --- who sends ---------------------------------------------------------------------------------
    "client.external": {"en": "An external client", "ko": "외부 클라이언트"},
    "client.node": {"en": "Node {name}", "ko": "{name} 노드"},
    "client.pod": {"en": "Pod {name}", "ko": "{name} 파드"},
    "send": {
        "en": "{client} ({ip}) opens a {proto} connection to {dst}{note}.",
        "ko": "{client}({ip})가 {dst} 주소로 {proto} 연결을 엽니다{note}.",
    },
    "send.headless": {
        "en": " ({fqdn} is headless: cluster DNS answered {count} pod IP(s) and the client took one)",
        "ko": " ({fqdn} 이름은 헤드리스 서비스라서 클러스터 DNS가 파드 IP {count}개로 답했고 클라이언트가 그중 하나를 골랐습니다)",
    },
    "send.resolved": {
        "en": " ({fqdn} resolved by cluster DNS)",
        "ko": " ({fqdn} 이름은 클러스터 DNS가 풀어 주었습니다)",
    },
    # --- the source ---------------------------------------------------------------------------------
    "source.no_node": {"en": "There is no node named {name}.", "ko": "{name} 이름의 노드가 없습니다."},
    "source.no_pod": {"en": "There is no pod {namespace}/{name}.", "ko": "{namespace}/{name} 파드가 없습니다."},
    "source.pod_no_ip": {
        "en": "Pod {namespace}/{name} has no IP yet, so it cannot send anything.",
        "ko": "{namespace}/{name} 파드는 아직 IP가 없어서 아무것도 보낼 수 없습니다.",
    },
    "source.pod_node_missing": {
        "en": "Pod {namespace}/{name} runs on node {node}, which is not in the cluster.",
        "ko": "{namespace}/{name} 파드는 클러스터에 없는 {node} 노드에서 실행됩니다.",
    },
    # --- what the API refuses (raised as TraceInputError) -------------------------------------------
    "input.destination": {
        "en": "destination must look like host:port, got {value}",
        "ko": "destination은 host:port 형식이어야 합니다. 받은 값: {value}",
    },
    "input.protocol": {
        "en": "unsupported protocol {value}",
        "ko": "지원하지 않는 프로토콜입니다: {value}",
    },
    "input.source": {
        "en": "source must be 'external', 'node/<name>' or 'pod/<namespace>/<name>', got {value}",
        "ko": "source는 'external', 'node/<name>', 'pod/<namespace>/<name>' 중 하나여야 합니다. 받은 값: {value}",
    },
    # --- cluster DNS --------------------------------------------------------------------------------
    "dns.outside": {
        "en": "Cluster DNS only answers inside the cluster, so {name} does not resolve from outside.",
        "ko": "클러스터 DNS는 클러스터 내부에서만 답하므로 클러스터 외부에서는 {name} 이름을 풀 수 없습니다.",
    },
    "dns.node": {
        "en": "Nodes use their own resolver, not cluster DNS, so {name} does not resolve on {node}.",
        "ko": "노드는 클러스터 DNS가 아니라 자기 리졸버를 쓰므로 {node} 노드에서는 {name} 이름을 풀 수 없습니다.",
    },
    "dns.nxdomain": {
        "en": "{name} does not resolve (NXDOMAIN): no such Service.",
        "ko": "{name} 이름을 풀 수 없습니다(NXDOMAIN). 그런 서비스가 없습니다.",
    },
    "dns.cname": {
        "en": "{fqdn} is an ExternalName Service: DNS answers CNAME {target}, a name outside the simulated "
        "cluster, and no proxying is involved.",
        "ko": "{fqdn} 이름은 ExternalName 서비스입니다. DNS는 시뮬레이션된 클러스터 밖의 이름을 가리키는 "
        "CNAME {target} 레코드로 답하며, 프록시는 관여하지 않습니다.",
    },
    "dns.headless_empty": {
        "en": "{fqdn} is a headless Service with no ready endpoints, so DNS has no A record.",
        "ko": "{fqdn} 이름은 준비된 엔드포인트가 없는 헤드리스 서비스라서 DNS에 A 레코드가 없습니다.",
    },
    # --- addresses that lead nowhere ------------------------------------------------------------------
    "out.external_ip": {
        "en": "Kubernetes does not announce externalIPs; nothing routes {ip} to a node.",
        "ko": "쿠버네티스는 externalIPs를 알리지 않으므로 {ip} 주소를 노드로 보내 주는 경로가 없습니다.",
    },
    "out.cluster_ip": {
        "en": "{ip} is a clusterIP: it exists only in kube-proxy's rules inside the cluster.",
        "ko": "{ip} 주소는 clusterIP입니다. 클러스터 내부의 kube-proxy 규칙 안에만 있는 주소입니다.",
    },
    "out.lb_no_listener": {
        "en": "The load balancer at {ip} has no listener for port {port}/{proto}.",
        "ko": "{ip} 주소의 로드밸런서에는 {port}/{proto} 포트를 듣는 리스너가 없습니다.",
    },
    "out.private_node": {
        "en": "{ip} is {node}'s InternalIP, a private address only reachable inside the cluster's network; "
        "from outside, use its ExternalIP: {external}:{port}.",
        "ko": "{ip} 주소는 {node} 노드의 InternalIP로, 클러스터 네트워크 안에서만 닿는 사설 주소입니다. "
        "클러스터 외부에서는 ExternalIP인 {external}:{port} 주소를 쓰세요.",
    },
    "out.pod_address": {
        "en": "{ip} is a pod address; the pod network is only routable inside the cluster.",
        "ko": "{ip} 주소는 파드 주소입니다. 파드 네트워크는 클러스터 내부에서만 라우팅됩니다.",
    },
    "out.nothing": {
        "en": "Nothing in the cluster owns {ip}.",
        "ko": "클러스터 안에 {ip} 주소를 가진 것이 없습니다.",
    },
    "in.pod_cidr_unused": {
        "en": "No pod has the address {ip} (it is inside a node's pod CIDR but unused).",
        "ko": "{ip} 주소를 가진 파드가 없습니다(노드의 파드 CIDR 안에 있지만 쓰이지 않는 주소입니다).",
    },
    "in.nothing": {
        "en": "Nothing in the cluster owns {ip}; the packet heads for the default gateway and is lost.",
        "ko": "클러스터 안에 {ip} 주소를 가진 것이 없습니다. 패킷은 기본 게이트웨이로 향하다 사라집니다.",
    },
    # --- between nodes --------------------------------------------------------------------------------
    "route": {
        "en": "The network carries the packet from {source} to {node} ({ip}), {why}.",
        "ko": "네트워크가 패킷을 {source} 노드에서 {why} {node} 노드({ip})로 옮깁니다.",
    },
    "route.owner": {"en": "the node that owns that address", "ko": "그 주소를 가진"},
    "route.pod_cidr": {"en": "which owns pod CIDR {cidr}", "ko": "파드 CIDR {cidr} 대역을 가진"},
    "route.endpoint_cidr": {"en": "which owns pod CIDR of the endpoint", "ko": "엔드포인트의 파드 CIDR 대역을 가진"},
    # --- a Service's IP on a port it does not serve -----------------------------------------------------
    "vip_port.nftables": {
        "en": "{ip} is a clusterIP but {service} has no port {port}/{proto}, so cluster-ips-check rejects it.",
        "ko": "{ip} 주소는 clusterIP이지만 {service} 서비스에는 {port}/{proto} 포트가 없어서 cluster-ips-check가 거부합니다.",
    },
    "vip_port.ipvs": {
        "en": "{ip} is bound to kube-ipvs0 but nothing listens on port {port}, so the node resets the connection.",
        "ko": "{ip} 주소는 kube-ipvs0에 묶여 있지만 {port} 포트를 듣는 것이 없어서 노드가 연결을 리셋합니다.",
    },
    "vip_port.no_rule": {
        "en": "No rule captures {dst}/{proto}: {service} does not serve that port, so the packet heads for the "
        "default gateway and is lost.",
        "ko": "{dst}/{proto} 패킷을 잡는 규칙이 없습니다. {service} 서비스는 그 포트를 제공하지 않으므로 패킷은 "
        "기본 게이트웨이로 향하다 사라집니다.",
    },
    "vip_port.refused": {
        "en": "{service} has no port {port}/{proto}: connection refused.",
        "ko": "{service} 서비스에는 {port}/{proto} 포트가 없습니다. 연결이 거부됩니다.",
    },
    # --- a node's own address ---------------------------------------------------------------------------
    "node.health_check": {
        "en": "kube-proxy on {node} answers the health check for {service}: HTTP {status} with localEndpoints {count}.",
        "ko": "{node} 노드의 kube-proxy가 {service} 서비스의 헬스 체크에 답합니다: HTTP {status}, localEndpoints {count}.",
    },
    "node.health_check.end": {
        "en": "kube-proxy's health check answered HTTP {status}.",
        "ko": "kube-proxy의 헬스 체크 응답: HTTP {status}.",
    },
    "node.nothing_listens": {
        "en": "Nothing listens on {dst}/{proto} on {node} (no nodePort uses it), so the node answers with {answer}.",
        "ko": "{node} 노드의 {dst}/{proto}에는 듣는 것이 없어서(이 포트를 쓰는 nodePort가 없음) 노드가 {answer} 응답을 보냅니다.",
    },
    "answer.tcp_reset": {"en": "a TCP reset", "ko": "TCP 리셋"},
    "answer.icmp_unreachable": {"en": "ICMP port unreachable", "ko": "ICMP port unreachable"},
    "node.refused": {
        "en": "No Service has nodePort {port}/{proto}: connection refused by {node}.",
        "ko": "nodePort {port}/{proto} 포트를 가진 서비스가 없습니다. {node} 노드가 연결을 거부합니다.",
    },
    # --- into a Service: iptables and nftables ------------------------------------------------------------
    "entry.loadBalancer": {"en": "load-balancer IP", "ko": "로드밸런서 IP"},
    "entry.externalIP": {"en": "external IP", "ko": "외부 IP"},
    "cluster_ip.entry": {
        "en": "{node} matches {dst}/{proto}, the clusterIP and port of {service}, and jumps to {chain}.",
        "ko": "{node} 노드가 {dst}/{proto}를 {service} 서비스의 clusterIP와 포트로 알아보고 {chain} 체인으로 점프합니다.",
    },
    "ext.entry": {"en": "{start}; {rest}.", "ko": "{start}. {rest}."},
    "ext.start.nodePort": {
        "en": "{node} receives the packet on nodePort {node_port}, which {via} sends to {chain}",
        "ko": "{node} 노드가 nodePort {node_port}에서 패킷을 받고 {via}에 따라 {chain} 체인으로 보냅니다",
    },
    "ext.via.map": {"en": "the service-nodeports map", "ko": "service-nodeports 맵"},
    "ext.via.chain": {"en": "KUBE-NODEPORTS", "ko": "KUBE-NODEPORTS 체인"},
    "ext.start.address": {
        "en": "{node} catches the {entry} {dst} itself and sends it to {chain}",
        "ko": "{node} 노드가 {entry} {dst} 주소를 직접 잡아 {chain} 체인으로 보냅니다",
    },
    "ext.cluster": {
        "en": "it is marked for masquerading because externalTrafficPolicy is Cluster, so it may cross nodes",
        "ko": "externalTrafficPolicy가 Cluster라서 다른 노드로 건너갈 수 있으므로 마스커레이드 표시가 붙습니다",
    },
    "ext.from_pod": {
        "en": "traffic from a pod on this node short-circuits to every endpoint, as if it went out to the LB",
        "ko": "이 노드의 파드에서 온 트래픽은 로드밸런서에 다녀온 것처럼 모든 엔드포인트로 바로 갑니다",
    },
    "ext.from_host": {
        "en": "traffic from the node itself is masqueraded and may use every endpoint",
        "ko": "노드 자신에게서 온 트래픽은 마스커레이드되며 모든 엔드포인트를 쓸 수 있습니다",
    },
    "ext.local_none": {
        "en": "externalTrafficPolicy is Local and {node} has no local endpoint, so no rule takes it",
        "ko": "externalTrafficPolicy가 Local인데 {node} 노드에 로컬 엔드포인트가 없어서 이 패킷을 받는 규칙이 없습니다",
    },
    "ext.local": {
        "en": "externalTrafficPolicy is Local, so only endpoints on {node} are used and the client IP is kept",
        "ko": "externalTrafficPolicy가 Local이라서 {node} 노드의 엔드포인트만 쓰이고 클라이언트 IP가 유지됩니다",
    },
    "firewall.drop": {
        "en": "{src} is outside loadBalancerSourceRanges ({ranges}), so {how}.",
        "ko": "{src} 주소는 loadBalancerSourceRanges({ranges}) 밖에 있어서 {how}.",
    },
    "firewall.nftables": {"en": "{chain} drops it", "ko": "{chain} 체인이 버립니다"},
    "firewall.iptables": {
        "en": "{chain} lets it fall through and KUBE-PROXY-FIREWALL drops it",
        "ko": "{chain} 체인을 그대로 지나 KUBE-PROXY-FIREWALL 체인이 버립니다",
    },
    "firewall.ipvs": {
        "en": "{src} is outside loadBalancerSourceRanges, so the KUBE-SOURCE-RANGES-FIREWALL chain drops it.",
        "ko": "{src} 주소는 loadBalancerSourceRanges 밖에 있어서 KUBE-SOURCE-RANGES-FIREWALL 체인이 버립니다.",
    },
    "firewall.end": {
        "en": "The source {src} is not allowed by loadBalancerSourceRanges; the client times out.",
        "ko": "출발지 {src} 주소는 loadBalancerSourceRanges에서 허용되지 않습니다. 클라이언트는 타임아웃됩니다.",
    },
    "no_endpoints.reject": {
        "en": "{service} has no ready endpoints (and none terminating but still serving), so {node} has no NAT rule "
        "for it and {rule} rejects the packet with ICMP port unreachable.",
        "ko": "{service} 서비스에는 준비된 엔드포인트가 없고(종료 중이지만 아직 서비스하는 엔드포인트도 없음), 그래서 "
        "{node} 노드에는 이 서비스의 NAT 규칙이 없어 {rule} 규칙이 ICMP port unreachable로 패킷을 거부합니다.",
    },
    "no_endpoints.end": {
        "en": "{service} has no endpoints, so the connection is refused immediately.",
        "ko": "{service} 서비스에 엔드포인트가 없어서 연결이 즉시 거부됩니다.",
    },
    "no_local.drop": {
        "en": "{policy} is Local and {node} runs no endpoint of {service}, so {rule} drops the packet silently.",
        "ko": "{policy}가 Local인데 {node} 노드에서 실행 중인 {service} 서비스의 엔드포인트가 없어서 {rule} 규칙이 "
        "패킷을 조용히 버립니다.",
    },
    "no_local.end": {
        "en": "{node} has no local endpoint for {service} ({policy}: Local); the client times out.",
        "ko": "{node} 노드에는 {service} 서비스의 로컬 엔드포인트가 없습니다({policy}: Local). 클라이언트는 타임아웃됩니다.",
    },
    # --- why an endpoint is or is not a candidate ----------------------------------------------------------
    "why.terminating_used": {
        "en": "Terminating but still serving; used only because no endpoint is ready.",
        "ko": "종료 중이지만 아직 서비스합니다. 준비된 엔드포인트가 없어서 쓰입니다.",
    },
    "why.fallback": {
        "en": "Ready; {node} has no local endpoint, so IPVS falls back to endpoints on every node.",
        "ko": "준비됨. {node} 노드에 로컬 엔드포인트가 없어서 IPVS가 모든 노드의 엔드포인트를 대신 씁니다.",
    },
    "why.local": {
        "en": "Ready and running on {node}, so the Local policy uses it.",
        "ko": "준비되었고 {node} 노드에서 실행 중이라서 Local 정책이 이 엔드포인트를 씁니다.",
    },
    "why.every_node": {
        "en": "Ready; this traffic may use endpoints on every node.",
        "ko": "준비됨. 이 트래픽은 모든 노드의 엔드포인트를 쓸 수 있습니다.",
    },
    "why.ready": {
        "en": "Ready, so kube-proxy gave it a rule in this chain.",
        "ko": "준비되어 있어서 kube-proxy가 이 체인에 규칙을 만들어 주었습니다.",
    },
    "why.terminated": {
        "en": "Terminating and no longer serving, so it gets no new connections.",
        "ko": "종료 중이고 더는 서비스하지 않아서 새 연결을 받지 않습니다.",
    },
    "why.terminating": {
        "en": "Terminating; kube-proxy uses such endpoints only when no endpoint is ready.",
        "ko": "종료 중. kube-proxy는 준비된 엔드포인트가 하나도 없을 때만 이런 엔드포인트를 씁니다.",
    },
    "why.not_ready": {
        "en": "Not ready (failing its readiness probe or still starting), so kube-proxy gives it no rule.",
        "ko": "준비되지 않아서(readiness 프로브 실패 또는 시작 중) kube-proxy가 규칙을 만들지 않습니다.",
    },
    "why.other_node": {
        "en": "Ready, but it runs on {where}; the Local policy only uses endpoints on {node}.",
        "ko": "준비되었지만 {where}에서 실행됩니다. Local 정책은 {node} 노드의 엔드포인트만 씁니다.",
    },
    "why.other_nodes": {
        "en": "Ready, but they run on {count} other nodes; the Local policy only uses endpoints on {node}.",
        "ko": "준비되었지만 다른 노드 {count}개에서 실행됩니다. Local 정책은 {node} 노드의 엔드포인트만 씁니다.",
    },
    "where.node": {"en": "{name}", "ko": "{name} 노드"},
    "where.unknown": {"en": "an unknown node", "ko": "알 수 없는 노드"},
    "why.zone": {
        "en": "Ready, but its topology hints name other zones than {zone}.",
        "ko": "준비되었지만 토폴로지 힌트가 {zone} 말고 다른 영역을 가리킵니다.",
    },
    "why.unused": {"en": "Not used by this chain.", "ko": "이 체인에서는 쓰이지 않습니다."},
    # --- choosing an endpoint -----------------------------------------------------------------------------
    "select": {
        "en": "{same}{chain} chooses an endpoint: {how}; the packet itself is unchanged.",
        "ko": "{same}{chain} 체인이 엔드포인트를 고릅니다: {how}. 패킷 자체는 바뀌지 않습니다.",
    },
    "select.same_chain": {
        "en": "It is the same chain {cluster_ip}:{port} uses; ",
        "ko": "{cluster_ip}:{port} 주소가 쓰는 것과 같은 체인입니다. ",
    },
    "select.affinity": {
        "en": "ClientIP session affinity: {node} remembers {src} went to {endpoint} within the last {seconds}s, "
        "so the affinity rule sends it there again",
        "ko": "ClientIP 세션 어피니티입니다. {node} 노드는 최근 {seconds}초 안에 {src} 주소가 {endpoint} "
        "엔드포인트로 갔음을 기억하므로 어피니티 규칙이 다시 그곳으로 보냅니다",
    },
    "select.only": {
        "en": "{endpoint} is the only endpoint in the chain, so it gets every connection",
        "ko": "{endpoint} 엔드포인트가 체인의 유일한 엔드포인트라서 모든 연결을 받습니다",
    },
    "select.numgen": {
        "en": "one `numgen random mod {n}` lookup picks endpoint {k} of {n} (each has 1/{n})",
        "ko": "`numgen random mod {n}` 조회 한 번으로 {n}개 중 {k}번째 엔드포인트를 고릅니다(각각 1/{n})",
    },
    "select.cascade": {
        "en": "rule {k} of the random cascade matched, picking {endpoint} (each of the {n} has 1/{n})",
        "ko": "무작위 규칙 사슬의 {k}번째 규칙이 일치해 {endpoint} 엔드포인트를 고릅니다({n}개 각각 1/{n})",
    },
    # --- rewriting addresses --------------------------------------------------------------------------------
    "dnat": {
        "en": "{rule} rewrites the destination {dst} to {who} at {to} (targetPort){direct}.",
        "ko": "{rule} 규칙이 목적지 {dst} 주소를 {who}의 {to} 주소(targetPort)로 바꿉니다{direct}.",
    },
    "dnat.pod": {"en": "pod {name}", "ko": "{name} 파드"},
    "dnat.endpoint": {"en": "the endpoint", "ko": "엔드포인트"},
    "dnat.direct": {
        "en": " in one step (it never passes through the clusterIP)",
        "ko": ". 한 번에 바꾸며 패킷은 clusterIP를 전혀 거치지 않습니다",
    },
    "snat": {"en": "{rule} MASQUERADEs: {why}; {result}.", "ko": "{rule} 규칙이 MASQUERADE합니다: {why}. {result}."},
    "snat.hairpin": {
        "en": "the pod is talking to itself through the Service (hairpin), so the reply must come back via the node",
        "ko": "파드가 서비스를 거쳐 자기 자신과 통신하므로(헤어핀) 응답이 노드를 거쳐 돌아와야 합니다",
    },
    "snat.marked": {
        "en": "the packet was marked for masquerading, so replies return through this node",
        "ko": "패킷에 마스커레이드 표시가 있으므로 응답이 이 노드를 거쳐 돌아옵니다",
    },
    "snat.stays": {
        "en": "the source stays {ip}, the node's own address",
        "ko": "출발지는 노드 자신의 주소인 {ip} 그대로입니다",
    },
    "snat.becomes": {
        "en": "the source {src} becomes {node}'s address {ip}",
        "ko": "출발지 {src} 주소가 {node} 노드의 주소인 {ip} 주소로 바뀝니다",
    },
    # --- arriving -------------------------------------------------------------------------------------------
    "deliver.outside": {
        "en": "The packet leaves for {endpoint}, an endpoint outside the cluster's pods (a manually listed address).",
        "ko": "패킷이 클러스터의 파드가 아닌 엔드포인트(직접 적어 넣은 주소)인 {endpoint} 주소로 나갑니다.",
    },
    "deliver.outside.end": {"en": "The request reached {endpoint}.", "ko": "요청이 {endpoint} 주소에 도착했습니다."},
    "deliver.not_listening": {
        "en": "The packet reaches pod {pod}, but nothing listens on port {port}/{proto} there (it declares "
        "{declared}), so it answers with a reset.",
        "ko": "패킷이 {pod} 파드에 도착하지만 그곳의 {port}/{proto} 포트를 듣는 것이 없어서(선언된 포트: "
        "{declared}) 파드가 리셋으로 답합니다.",
    },
    "deliver.not_listening.end": {
        "en": "Nothing listens on {dst}/{proto} in pod {pod}: connection refused (check targetPort).",
        "ko": "{pod} 파드의 {dst}/{proto}에는 듣는 것이 없습니다. 연결이 거부됩니다(targetPort를 확인하세요).",
    },
    "deliver": {
        "en": "Pod {pod} receives the request on {dst} from {src}{note}.",
        "ko": "{pod} 파드가 {src} 주소에서 온 요청을 {dst} 주소로 받습니다{note}.",
    },
    "deliver.client_ip": {
        "en": ": the client's own address, because nothing masqueraded it",
        "ko": ". 출발지는 클라이언트 자신의 주소입니다. 아무것도 마스커레이드하지 않았기 때문입니다",
    },
    "deliver.node_ip": {
        "en": ": a node's address, not the client's, because the packet was masqueraded",
        "ko": ". 출발지는 클라이언트가 아니라 노드의 주소입니다. 패킷이 마스커레이드되었기 때문입니다",
    },
    "deliver.end": {"en": "The request reached pod {pod} at {dst}.", "ko": "요청이 {dst} 주소의 {pod} 파드에 도착했습니다."},
    # --- IPVS -------------------------------------------------------------------------------------------------
    "ipvs.virtual_server": {
        "en": "{ip} is a local address on {node} (bound to kube-ipvs0, or a node IP), so IPVS virtual server "
        "{dst}/{proto} (scheduler rr) takes the packet{masq}.",
        "ko": "{ip} 주소는 {node} 노드의 로컬 주소(kube-ipvs0에 묶인 주소 또는 노드 IP)라서 IPVS 가상 서버 "
        "{dst}/{proto}(스케줄러 rr)가 패킷을 받습니다{masq}.",
    },
    "ipvs.marked": {
        "en": "; iptables has marked it for masquerading",
        "ko": ". iptables가 마스커레이드 표시를 붙여 두었습니다",
    },
    "ipvs.no_real_servers": {
        "en": "{service} {why}, so the virtual server has no real servers and IPVS answers ICMP port unreachable.",
        "ko": "{service} 서비스에 {why} 가상 서버에 실제 서버가 없고, IPVS가 ICMP port unreachable로 답합니다.",
    },
    "ipvs.no_real_servers.end": {
        "en": "{service} {why}, so the connection is refused immediately.",
        "ko": "{service} 서비스에 {why} 연결이 즉시 거부됩니다.",
    },
    "ipvs.no_endpoints": {"en": "has no endpoints", "ko": "엔드포인트가 없어서"},
    "ipvs.no_local": {
        "en": "has no endpoint that {node} may use (Local policy)",
        "ko": "{node} 노드가 쓸 수 있는 엔드포인트가 없어서(Local 정책)",
    },
    "ipvs.pick": {
        "en": "IPVS picks a real server: {how}; the packet itself is unchanged.",
        "ko": "IPVS가 실제 서버를 고릅니다: {how}. 패킷 자체는 바뀌지 않습니다.",
    },
    "ipvs.persistence": {
        "en": "persistence ({seconds}s) keeps {src} on {endpoint}",
        "ko": "지속성({seconds}초) 설정이 {src} 주소를 {endpoint} 엔드포인트에 붙잡아 둡니다",
    },
    "ipvs.round_robin": {
        "en": "round robin hands out real servers in turn; this connection gets {endpoint} ({k} of {n})",
        "ko": "라운드 로빈이 실제 서버를 차례로 나눠 줍니다. 이 연결은 {endpoint} 엔드포인트를 받습니다({n}개 중 {k}번째)",
    },
    "ipvs.asymmetric": {
        "en": "{node} had no local endpoint, so IPVS fell back to a pod on another node without masquerading; the "
        "reply goes straight back from {src}, not from the address the client called, and is discarded.",
        "ko": "{node} 노드에 로컬 엔드포인트가 없어서 IPVS가 마스커레이드 없이 다른 노드의 파드를 썼습니다. 응답은 "
        "클라이언트가 부른 주소가 아니라 {src} 주소에서 곧장 돌아가므로 버려집니다.",
    },
    "ipvs.asymmetric.end": {
        "en": "externalTrafficPolicy is Local and the node had no local endpoint; the reply never matches, so the "
        "client times out.",
        "ko": "externalTrafficPolicy가 Local인데 노드에 로컬 엔드포인트가 없었습니다. 응답이 연결과 맞지 않아 "
        "클라이언트는 타임아웃됩니다.",
    },
    # --- the cloud load balancer -------------------------------------------------------------------------
    "lb.excluded": {
        "en": "Labelled {label}, so the LB does not use it.",
        "ko": "{label} 레이블이 붙어 있어서 로드밸런서가 쓰지 않습니다.",
    },
    "lb.not_ready": {
        "en": "NotReady, so the LB's health check on it fails.",
        "ko": "NotReady 상태라서 로드밸런서의 헬스 체크가 실패합니다.",
    },
    "lb.cluster": {
        "en": "Ready; with externalTrafficPolicy Cluster any node can take the traffic.",
        "ko": "준비됨. externalTrafficPolicy가 Cluster라서 어느 노드든 트래픽을 받을 수 있습니다.",
    },
    "lb.healthy": {
        "en": "Its health check on port {port} answers 200 (localEndpoints {count}).",
        "ko": "{port} 포트의 헬스 체크가 200으로 답합니다(localEndpoints {count}).",
    },
    "lb.unhealthy": {
        "en": "Its health check on port {port} answers 503 (localEndpoints {count}), so the LB skips it.",
        "ko": "{port} 포트의 헬스 체크가 503으로 답해서(localEndpoints {count}) 로드밸런서가 건너뜁니다.",
    },
    "lb.source_ranges": {
        "en": "The load balancer only admits loadBalancerSourceRanges ({ranges}); {src} is outside them, so it is "
        "dropped (the same allow-list kube-proxy writes into {rule}).",
        "ko": "로드밸런서는 loadBalancerSourceRanges({ranges})에서 온 요청만 받습니다. {src} 주소는 그 밖에 있어서 "
        "버려집니다(kube-proxy가 {rule}에 적는 것과 같은 허용 목록).",
    },
    "lb.source_ranges.end": {
        "en": "{src} is not in loadBalancerSourceRanges; the client times out.",
        "ko": "{src} 주소는 loadBalancerSourceRanges에 없습니다. 클라이언트는 타임아웃됩니다.",
    },
    "lb.no_backend": {
        "en": "The load balancer has no healthy backend node, so it drops the connection.",
        "ko": "로드밸런서에 정상인 백엔드 노드가 없어서 연결을 버립니다.",
    },
    "lb.no_backend.end": {
        "en": "No node passes the load balancer's health check for {service}; the client times out.",
        "ko": "{service} 서비스의 로드밸런서 헬스 체크를 통과하는 노드가 없습니다. 클라이언트는 타임아웃됩니다.",
    },
    "lb.forward": {
        "en": "The load balancer for {dst} picks {node} out of {n} healthy node(s) and {how}.",
        "ko": "{dst} 주소의 로드밸런서가 정상 노드 {n}개 중 {node} 노드를 골라 {how}.",
    },
    "lb.forward.node_port": {
        "en": "forwards it to {to} (nodeIP:nodePort), keeping the client's address; this models a proxy-style "
        "cloud LB",
        "ko": "클라이언트 주소를 유지한 채 {to} 주소(nodeIP:nodePort)로 전달합니다. 프록시 방식의 클라우드 "
        "로드밸런서를 본뜬 동작입니다",
    },
    "lb.forward.vip": {
        "en": "hands it to that node unchanged (VIP-style, as there is no nodePort)",
        "ko": "그 노드에 그대로 넘깁니다(nodePort가 없으므로 VIP 방식)",
    },
}


@dataclass(frozen=True)
class Msg:
    """One sentence (or part of one): a catalogue id and its parameters; a parameter may be a Msg."""

    id: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str = "en") -> str:
        templates = MESSAGES[self.id]
        template = templates.get(lang) or templates["en"]
        return template.format_map({k: _render(v, lang) for k, v in self.params.items()})

    def __str__(self) -> str:
        return self.render("en")

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "params": {k: _plain(v) for k, v in self.params.items()}}


def msg(message_id: str, **params: Any) -> Msg:
    if message_id not in MESSAGES:
        raise KeyError(f"no trace message {message_id!r}")
    return Msg(message_id, params)


def _render(value: Any, lang: str) -> str:
    if isinstance(value, Msg):
        return value.render(lang)
    if isinstance(value, list | tuple):
        return ", ".join(_render(v, lang) for v in value)
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, Msg):
        return value.as_dict()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def translations(field_name: str, message: Msg) -> dict[str, dict[str, str]]:
    """`{"ko": {field_name: "…"}}`: the other languages of one English field."""
    return {lang: {field_name: message.render(lang)} for lang in TRANSLATED}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class TraceInputError(ValueError):
    """A source or destination the tracer cannot take; `message` renders it in any language."""

    def __init__(self, message: Msg):
        super().__init__(message.render("en"))
        self.message = message

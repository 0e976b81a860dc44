"""kube-proxy as data and requests through it: each node's rules, the trace walk hop by hop (resolve, load balancer, Service, rules, text), and curl in the console."""

/** The page's style sheet (inline: the page must open offline). Colours: requests blue, responses green, faults warm. */
export const PAGE_CSS = `
body{font:13px/1.4 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header,nav,main{padding:6px 14px}
h1{font-size:18px;margin:6px 0}h2{font-size:15px;margin:14px 0 6px}
.desc{margin:2px 0;color:#444}.meta{color:#555;margin:2px 0}.pass{color:#17702a}.fail{color:#b01c1c;font-weight:600}
.note{background:#fff4d6;border:1px solid #e3c46b;padding:4px 8px}
details.model code{font-size:11px;color:#555}
nav{position:sticky;top:0;background:#fafafaee;border-bottom:1px solid #ddd;z-index:2}
nav button{font:inherit}#window{font-weight:600;margin:0 10px}.hint{color:#777;font-size:12px;margin-right:10px}
#filter{display:inline-block}#filter label{margin-right:8px;white-space:nowrap}
#chart{overflow-x:auto;background:#fff;border:1px solid #ddd}
#tl{display:block;width:100%;height:auto;min-width:900px;user-select:none;cursor:crosshair}
.lane-bg{fill:#fff}.r-server .lane-bg{fill:#f4f7fb}.r-dns .lane-bg{fill:#f6f4fb}.r-network .lane-bg{fill:#f7f7f2}
.ln{font-weight:600;font-size:12px}.ip{font-size:10px;fill:#777}.rl{font-size:10px;fill:#555;text-anchor:end}
.wire{stroke:#bbb;stroke-width:1}
.tick{stroke:#eee}.tl{font-size:10px;fill:#555;text-anchor:middle}
.band{stroke:none}.band:hover{stroke:#000;stroke-width:.5}
.bl{font-size:9px;fill:#222;pointer-events:none}
.out-silent{fill:#f3b0b0;opacity:.55}.out-unreachable{fill:#e8a0d8;opacity:.55}.out-host-unreachable{fill:#c9a0e8;opacity:.55}.out-503{fill:#f5c97a;opacity:.6}.out-slow{fill:#f2e08a;opacity:.6}
.net-loss{fill:#f5c97a}.net-partition{fill:#f3b0b0}
.reg-registering{fill:#cfe0f5}.reg-registered{fill:#8fd19e}.reg-failed{fill:#f08c8c}
.work-0{fill:#9ecae1}.work-1{fill:#fdae6b}.work-2{fill:#a1d99b}.work-3{fill:#bcbddc}.work-4{fill:#fdd0a2}.work-5{fill:#c7e9c0}
.call-open{fill:#ddd}.call-answered{fill:#74c476}.call-failed{fill:#ef6d6d}.call-busy{fill:#f5b041}.call-in{opacity:.75}
.feat-on{fill:#b3d9f2}.feat-off{fill:#e7b3b3}
.msg .vis{stroke-width:1.3;pointer-events:none}.msg .hit{stroke:transparent;stroke-width:8;cursor:pointer}
.msg:hover .vis,.msg.sel .vis{stroke-width:2.6}
.k-request .vis{stroke:#1f5fbf;marker-end:url(#h-request)}#h-request path{fill:#1f5fbf}
.k-response .vis{stroke:#1c8a3a;marker-end:url(#h-response)}#h-response path{fill:#1c8a3a}
.k-dns-query .vis{stroke:#7a52b3;marker-end:url(#h-dns-query)}#h-dns-query path{fill:#7a52b3}
.k-dns-answer .vis{stroke:#a07ad6;marker-end:url(#h-dns-answer)}#h-dns-answer path{fill:#a07ad6}
.k-icmp .vis{stroke:#d4380d;stroke-dasharray:2 2;marker-end:url(#h-icmp)}#h-icmp path{fill:#d4380d}
.k-rst .vis{stroke:#c41d7f;stroke-width:2;marker-end:url(#h-rst)}#h-rst path{fill:#c41d7f}
.k-tcp-ctl{opacity:.3}.k-tcp-ctl .vis{stroke:#888;stroke-width:.8;marker-end:url(#h-tcp-ctl)}#h-tcp-ctl path{fill:#888}
.msg.rtx .vis{stroke-dasharray:5 3}
.msg.lost .vis{marker-end:url(#cross)}#cross path{stroke:#d00;stroke-width:2;fill:none}
.ml{font-size:9px;fill:#333;display:none;pointer-events:none}#tl.labels .ml{display:inline}.rtx .ml{fill:#a15c00}.lost .ml{fill:#b00}
#tl.no-tcp .k-tcp-ctl{display:none}
.mk{stroke:#000;stroke-width:.6}.mk-timeout{fill:#ffd400}.mk-error{fill:#ff4d4f}
#cursor{stroke:#d00;stroke-width:1.5;stroke-dasharray:4 2}#sel{fill:#1f5fbf22;stroke:#1f5fbf}
#detail{background:#fff;border:1px solid #ddd;margin:8px 0;padding:6px 10px;max-height:320px;overflow:auto}
#detail pre{margin:4px 0;font-size:12px;white-space:pre-wrap}#detail .none{color:#777}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid #ddd;padding:3px 6px;vertical-align:top;text-align:left}
tr.pass .res{color:#17702a;font-weight:600}tr.fail .res{color:#b01c1c;font-weight:700}tr.fail{background:#fff3f3}
td code{font-size:12px}.line{font-size:10px;color:#888}.warn{color:#a15c00}
#summary pre{background:#fff;border:1px solid #ddd;padding:6px;overflow-x:auto;font-size:12px}
#legend .lg{display:inline-block;margin-right:10px;font-size:11px}#legend svg{vertical-align:middle;margin-right:3px}
`;

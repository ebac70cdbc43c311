/** One account on sip1 (10.0.0.1) only; failed registrations back off RFC 5626-style (random 50–100 % of min(120, 10·2ⁿ) s). */
export const ONE_SERVER_CFG = `#!version:1.0.0.1
account.1.enable = 1
account.1.user_name = 1001
account.1.sip_server.1.address = 10.0.0.1
account.1.sip_server.1.port = 5060
account.1.sip_server.1.transport_type = 0
account.1.sip_server.1.expires = 3600
account.1.reg_failed_retry_min_time = 10
account.1.reg_failed_retry_max_time = 120
`;

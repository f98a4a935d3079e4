<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ApprovalsTab</name>
    <message>
        <location filename="../../ui/approvals_tab.py" line="54"/>
        <source>Acts this bank takes from two clerks: one clerk proposes, another approves (the act takes effect then) or declines. You cannot decide your own proposals.</source>
        <translation>本行实行双人复核的操作：一名柜员提出，另一名柜员批准（操作随即生效）或驳回。您不能处理自己提出的申请。</translation>
    </message>
    <message>
        <location filename="../../ui/approvals_tab.py" line="56"/>
        <source>Reason (to decline)</source>
        <translation>理由（驳回时）</translation>
    </message>
    <message>
        <location filename="../../ui/approvals_tab.py" line="57"/>
        <source>Approve</source>
        <translation>批准</translation>
    </message>
    <message>
        <location filename="../../ui/approvals_tab.py" line="58"/>
        <source>Decline</source>
        <translation>驳回</translation>
    </message>
    <message>
        <location filename="../../ui/approvals_tab.py" line="71"/>
        <source> (you)</source>
        <translation>（您）</translation>
    </message>
    <message>
        <location filename="../../ui/approvals_tab.py" line="93"/>
        <source>Select a proposal to see what it does.</source>
        <translation>选择一项申请查看其内容。</translation>
    </message>
    <message>
        <location filename="../../ui/approvals_tab.py" line="95"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location filename="../../ui/approvals_tab.py" line="97"/>
        <source>Your own proposal: another clerk decides it.</source>
        <translation>这是您自己的申请：由另一名柜员处理。</translation>
    </message>
    <message>
        <location filename="../../ui/approvals_tab.py" line="103"/>
        <source>Select a proposal first.</source>
        <translation>请先选择一项申请。</translation>
    </message>
    <message>
        <location filename="../../ui/approvals_tab.py" line="108"/>
        <source>Approved at height %H: the act took effect.</source>
        <translation>已于高度 %H 批准：操作已生效。</translation>
    </message>
    <message>
        <location filename="../../ui/approvals_tab.py" line="109"/>
        <source>Declined at height %H.</source>
        <translation>已于高度 %H 驳回。</translation>
    </message>
</context>
<context>
    <name>AuditTab</name>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="380"/>
        <source>Full-chain audit</source>
        <translation>全链审计</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="382"/>
        <source>Trusts nothing but the genesis file: checks every block hash and link, every commit certificate (2f+1 validator signatures) and every transaction signature, re-executes the whole chain from genesis and compares every row the node stored with it (blocks, transactions, postings, result certificates, state), height by height.</source>
        <translation>只信任创世文件：校验每个区块的哈希与链接、每份提交证书（2f+1 个验证节点签名）和每笔交易签名，从创世块起重新执行整条链，并逐个高度比对节点存储的每一行（区块、交易、分录、结果证书、状态）。</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="387"/>
        <source>Run full audit</source>
        <translation>运行全链审计</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="388"/>
        <source>Save report as PDF…</source>
        <translation>报告存为 PDF…</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="410"/>
        <source>This app&apos;s node has no ledger yet.</source>
        <translation>本程序的节点还没有账本。</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="406"/>
        <source>Auditing…</source>
        <translation>正在审计…</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="419"/>
        <source>Save the audit report</source>
        <translation>保存审计报告</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="438"/>
        <source>Chain %1, copy of %2, finished %3</source>
        <translation>链 %1，%2 的副本，完成于 %3</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="447"/>
        <source>Full-chain audit report</source>
        <translation>全链审计报告</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="452"/>
        <source>Could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="454"/>
        <source>Audit report saved to %1</source>
        <translation>审计报告已保存到 %1</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="463"/>
        <source>Audit passed: %1 blocks and %2 transactions verified and re-executed; the state matches.</source>
        <translation>审计通过：已校验并重新执行 %1 个区块、%2 笔交易，状态一致。</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="469"/>
        <source>Audit FAILED: first problem at height %1.</source>
        <translation>审计未通过：第一个问题出现在高度 %1。</translation>
    </message>
</context>
<context>
    <name>CardHistory</name>
    <message>
        <location filename="../../ui/card_history.py" line="66"/>
        <source>Older transactions</source>
        <translation>更早的交易</translation>
    </message>
    <message>
        <location filename="../../ui/card_history.py" line="67"/>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location filename="../../ui/card_history.py" line="109"/>
        <source>%1 transactions</source>
        <translation>%1 笔交易</translation>
    </message>
    <message>
        <location filename="../../ui/card_history.py" line="115"/>
        <source>Export the transactions</source>
        <translation>导出交易</translation>
    </message>
    <message>
        <location filename="../../ui/card_history.py" line="124"/>
        <source>%1 transactions written to %2</source>
        <translation>已将 %1 笔交易写入 %2</translation>
    </message>
</context>
<context>
    <name>CardReader</name>
    <message>
        <location filename="../../ui/pos_card.py" line="55"/>
        <source>Choose the card file</source>
        <translation>选择卡文件</translation>
    </message>
    <message>
        <location filename="../../ui/pos_card.py" line="56"/>
        <source>Card files (*.card.json *.card);;All files (*)</source>
        <translation>卡文件 (*.card.json *.card);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../ui/pos_card.py" line="64"/>
        <source>Choose the card file first.</source>
        <translation>请先选择卡文件。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_card.py" line="67"/>
        <source>The PIN is exactly 6 digits.</source>
        <translation>密码必须是 6 位数字。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_card.py" line="78"/>
        <source>Cannot read the card: %1</source>
        <translation>无法读卡：%1</translation>
    </message>
    <message>
        <location filename="../../ui/pos_card.py" line="112"/>
        <source>The card was cleared after %1 s without use: read it again (card file and PIN).</source>
        <translation>卡片闲置 %1 秒后已清除：请重新读卡（卡文件和密码）。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_card.py" line="141"/>
        <source>Use %1 points</source>
        <translation>使用 %1 积分</translation>
    </message>
    <message>
        <location filename="../../ui/pos_card.py" line="146"/>
        <source>No card read.</source>
        <translation>尚未读卡。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_card.py" line="149"/>
        <source>%1 · %2 · balance %3 · points %4</source>
        <translation>%1 · %2 · 余额 %3 · 积分 %4</translation>
    </message>
</context>
<context>
    <name>CardsTab</name>
    <message>
        <location filename="../../ui/cards_tab.py" line="173"/>
        <source>Card number or holder&apos;s name</source>
        <translation>卡号或持卡人姓名</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="177"/>
        <source>Any status</source>
        <translation>任意状态</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="181"/>
        <source>Search</source>
        <translation>查询</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="182"/>
        <source>Issue a card (bank %1)</source>
        <translation>发卡（银行 %1）</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="184"/>
        <source>Holder&apos;s name (empty: anonymous)</source>
        <translation>持卡人姓名（留空为不记名卡）</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="184"/>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="190"/>
        <source>Issue card</source>
        <translation>发卡</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="191"/>
        <source>Selected card</source>
        <translation>选中的卡</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="193"/>
        <source>Top up</source>
        <translation>充值</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="194"/>
        <source>Grant points</source>
        <translation>发放积分</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="195"/>
        <source>Grant</source>
        <translation>发放</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="200"/>
        <location filename="../../ui/cards_tab.py" line="456"/>
        <source>Freeze</source>
        <translation>冻结</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="201"/>
        <location filename="../../ui/cards_tab.py" line="458"/>
        <source>Unfreeze</source>
        <translation>解冻</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="202"/>
        <location filename="../../ui/cards_tab.py" line="485"/>
        <source>Report lost &amp;&amp; replace</source>
        <translation>挂失并补卡</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="203"/>
        <location filename="../../ui/cards_tab.py" line="462"/>
        <source>Close card</source>
        <translation>销卡</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="169"/>
        <source>(anonymous)</source>
        <translation>（不记名）</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="55"/>
        <source>18 characters: 17 digits and a check digit or X</source>
        <translation>应为 18 位：17 位数字加 1 位校验码（数字或 X）</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="56"/>
        <source>its digits 7-14 are not a birth date</source>
        <translation>第 7-14 位不是有效的出生日期</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="57"/>
        <source>its check character is wrong (mistyped?)</source>
        <translation>校验码不符（是否输错？）</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="174"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="185"/>
        <source>Opening deposit (¥), paid by</source>
        <translation>开卡存入（¥），付款方式</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="189"/>
        <source>Phone</source>
        <translation>手机号码</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="192"/>
        <source>Top up (¥), paid by</source>
        <translation>充值（¥），付款方式</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="196"/>
        <source>Transfer to</source>
        <translation>转入卡号</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="197"/>
        <source>named card of this bank</source>
        <translation>本行记名卡</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="198"/>
        <source>amount (¥)</source>
        <translation>金额（元）</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="199"/>
        <source>Transfer</source>
        <translation>转账</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="204"/>
        <source>Transactions of the selected card</source>
        <translation>选中卡的交易</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="205"/>
        <source>Top-up slip…</source>
        <translation>充值凭条…</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="244"/>
        <source>No card selected: pick one in the list.</source>
        <translation>未选中卡：请在列表中选择。</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="245"/>
        <source>%1 · %2 · %3</source>
        <translation>%1 · %2 · %3</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="246"/>
        <location filename="../../ui/cards_tab.py" line="319"/>
        <location filename="../../ui/cards_tab.py" line="468"/>
        <source>anonymous</source>
        <translation>不记名</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="257"/>
        <source>Proposed at height %H for a second clerk&apos;s approval.</source>
        <translation>已于高度 %H 提交，等待第二名柜员复核。</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="286"/>
        <source>Top-up slip printed.</source>
        <translation>充值凭条已打印。</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="292"/>
        <source>Select a card in the list first.</source>
        <translation>请先在列表中选择一张卡。</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="301"/>
        <location filename="../../ui/cards_tab.py" line="313"/>
        <source>Opening deposit: %1</source>
        <translation>开卡存入：%1</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="304"/>
        <source>A named card needs the holder&apos;s ID number.</source>
        <translation>记名卡需要持卡人身份证号。</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="308"/>
        <source>ID number: %1</source>
        <translation>证件号码：%1</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="317"/>
        <source>Opening deposit: a %1 card holds at most %2.</source>
        <translation>开卡存入：%1卡最多可存 %2。</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="318"/>
        <source>named</source>
        <translation>记名</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="341"/>
        <source>Card issued at height %H.</source>
        <translation>已在高度 %H 发卡。</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="361"/>
        <location filename="../../ui/cards_tab.py" line="370"/>
        <source>Show PIN</source>
        <translation>显示密码</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="369"/>
        <source>Hide PIN</source>
        <translation>隐藏密码</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="372"/>
        <source>New card %1, PIN %2 (give it to the cardholder once).
Card file: %3 in the consortium folder</source>
        <translation>新卡 %1，密码 %2（仅此一次交给持卡人）。
卡文件：联盟目录下的 %3</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="388"/>
        <source>Top-up amount: %1</source>
        <translation>充值金额：%1</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="394"/>
        <source>Top-up: %1</source>
        <translation>充值：%1</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="398"/>
        <source>Top-up: card %1 holds %2 and may take at most %3 more.</source>
        <translation>充值：卡 %1 余额 %2，最多还可充值 %3。</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="271"/>
        <source>Topped up %1 at height %H.</source>
        <translation>已在高度 %H 充值 %1。</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="417"/>
        <source>Transfer: enter the receiving card&apos;s number.</source>
        <translation>转账：请输入收款卡号。</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="419"/>
        <source>Transfer amount: %1</source>
        <translation>转账金额：%1</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="423"/>
        <source>Transfer: card %1 holds %2.</source>
        <translation>转账：卡 %1 余额仅 %2。</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="428"/>
        <source>Transferred %1 at height %H.</source>
        <translation>已转账 %1，区块高度 %H。</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="438"/>
        <source>Points: a whole number from 1 to 10,000,000.</source>
        <translation>积分：1 到 10,000,000 之间的整数。</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="442"/>
        <source>Points granted at height %H.</source>
        <translation>已在高度 %H 发放积分。</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="450"/>
        <source>Card frozen at height %H.</source>
        <translation>已在高度 %H 冻结此卡。</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="451"/>
        <source>Card unfrozen at height %H.</source>
        <translation>已在高度 %H 解冻此卡。</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="452"/>
        <source>Card closed at height %H; its balance goes back to the bank for refund.</source>
        <translation>已在高度 %H 销卡，余额退回银行以便退款。</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="454"/>
        <source>Freeze card %1?</source>
        <translation>冻结卡 %1？</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="455"/>
        <source>Payments with card %1 (%2) are refused until it is unfrozen.</source>
        <translation>卡 %1（%2）在解冻前的支付都将被拒绝。</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="457"/>
        <source>Unfreeze card %1?</source>
        <translation>解冻卡 %1？</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="458"/>
        <source>Card %1 (%2) can pay again.</source>
        <translation>卡 %1（%2）将可再次支付。</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="459"/>
        <source>Close card %1?</source>
        <translation>注销卡 %1？</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="460"/>
        <source>Card %1 (%2) stops for good: its balance of %3 goes back to the bank for refund to the cardholder, its points to their banks. This cannot be undone.</source>
        <translation>卡 %1（%2）将永久停用：余额 %3 退回银行以退还持卡人，积分退回各发放银行。此操作不可撤销。</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="483"/>
        <source>Report card %1 lost?</source>
        <translation>挂失卡 %1？</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="484"/>
        <source>Card %1 (%2) stops working now; a new card takes its balance of %3 and its points.</source>
        <translation>卡 %1（%2）立即停用；新卡承接其余额 %3 与积分。</translation>
    </message>
    <message>
        <location filename="../../ui/cards_tab.py" line="496"/>
        <source>Card reported lost at height %H; balance and points moved to the new card.</source>
        <translation>已在高度 %H 挂失，余额和积分已转入新卡。</translation>
    </message>
</context>
<context>
    <name>CaseStatus</name>
    <message>
        <location filename="../../ui/texts.py" line="371"/>
        <source>open</source>
        <translation>待处理</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="372"/>
        <source>acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="373"/>
        <source>closed</source>
        <translation>已结案</translation>
    </message>
</context>
<context>
    <name>CasesTab</name>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="118"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="119"/>
        <source>what was checked, who was contacted</source>
        <translation>核查了什么、联系了谁</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="120"/>
        <source>Acknowledge</source>
        <translation>确认</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="121"/>
        <source>Close case</source>
        <translation>结案</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="122"/>
        <source>Rescan</source>
        <translation>重新扫描</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="148"/>
        <source>%1 cases from %2 rules over the whole chain; %3 open.</source>
        <translation>全链 %2 条规则共发现 %1 个案件，%3 个未处理。</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="156"/>
        <source>Select a case to see the rule that raised it.</source>
        <translation>选择案件以查看触发它的规则。</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="159"/>
        <source>What happened: %4
Rule %1: %2
Transactions (double-click the case for the first): %3</source>
        <translation>情况：%4
规则 %1：%2
交易（双击案件查看第一笔）：%3</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="169"/>
        <source>Select a case first.</source>
        <translation>请先选择一个案件。</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="172"/>
        <source>This case is already closed.</source>
        <translation>此案件已结案。</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="186"/>
        <source>Case %1 at height %2.</source>
        <translation>案件已于高度 %2 标记为%1。</translation>
    </message>
</context>
<context>
    <name>ChartsTab</name>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="321"/>
        <source>Issuers: prepaid funds outstanding and custody deposit</source>
        <translation>发卡机构：预付资金余额与存管保证金</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="323"/>
        <source>Outstanding</source>
        <translation>预付资金余额</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="324"/>
        <source>Custody</source>
        <translation>存管保证金</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="324"/>
        <location filename="../../ui/regulator_tabs.py" line="329"/>
        <location filename="../../ui/regulator_tabs.py" line="333"/>
        <source>CNY</source>
        <translation>元</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="327"/>
        <source>Prepaid outstanding, last 30 days (end of each day)</source>
        <translation>预付资金余额（近 30 天，每日日终）</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="331"/>
        <source>Merchant volumes (accepted payments)</source>
        <translation>商户交易额（成功支付）</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="332"/>
        <source>Gross</source>
        <translation>总额</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="333"/>
        <source>Refunded</source>
        <translation>已退款</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="336"/>
        <source>Transactions per hour, last 24 hours</source>
        <translation>每小时交易笔数（最近 24 小时）</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="337"/>
        <source>Accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="338"/>
        <source>Refused</source>
        <translation>被拒绝</translation>
    </message>
    <message>
        <location filename="../../ui/regulator_tabs.py" line="339"/>
        <source>transactions</source>
        <translation>笔</translation>
    </message>
</context>
<context>
    <name>ClearingTab</name>
    <message>
        <location filename="../../ui/clearing_tab.py" line="95"/>
        <source>Merchant</source>
        <translation>商户</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="96"/>
        <source>Cycle</source>
        <translation>周期</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="97"/>
        <source>Show statement</source>
        <translation>显示对账单</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="98"/>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="99"/>
        <source>Export PDF…</source>
        <translation>导出 PDF…</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="100"/>
        <source>Close cycle on chain</source>
        <translation>链上结算本周期</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="101"/>
        <source>Bank transfer reference</source>
        <translation>银行转账流水号</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="102"/>
        <source>Pay the merchant out</source>
        <translation>向商户付款</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="103"/>
        <source>Settle our points</source>
        <translation>结算本行积分</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="104"/>
        <source>Pay our net position</source>
        <translation>支付本行净额</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="105"/>
        <source>Statement</source>
        <translation>对账单</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="132"/>
        <source>Choose a merchant and a cycle.</source>
        <translation>请选择商户和周期。</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="145"/>
        <source>Choose a merchant and a cycle, then show the statement.</source>
        <translation>选择商户和周期，然后显示对账单。</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="149"/>
        <source>settled on chain</source>
        <translation>已在链上结算</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="149"/>
        <source>open</source>
        <translation>未结算</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="152"/>
        <source>paid out (%1)</source>
        <translation>已付款（%1）</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="153"/>
        <source>not paid out yet</source>
        <translation>尚未付款</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="157"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="157"/>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="158"/>
        <source>points settled: %1</source>
        <translation>积分结算：%1</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="161"/>
        <source>Payments: %1, refunds: %2</source>
        <translation>支付 %1 笔，退款 %2 笔</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="163"/>
        <source>Gross %1 · refunds %2</source>
        <translation>总额 %1 · 退款 %2</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="165"/>
        <source>Owed by banks for points: %1</source>
        <translation>银行应付积分抵扣款：%1</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="166"/>
        <source>Fee %1 · net to merchant %2</source>
        <translation>手续费 %1 · 商户净额 %2</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="168"/>
        <source>Status: %1</source>
        <translation>状态：%1</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="169"/>
        <source>Interbank netting of cycle %1:</source>
        <translation>周期 %1 的银行间轧差：</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="171"/>
        <source>%1 owes %2 %3; %2 owes %1 %4: %5</source>
        <translation>%1 应付 %2 %3；%2 应付 %1 %4：%5</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="174"/>
        <source>settled</source>
        <translation>已清算</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="175"/>
        <source>%1 pays %2 %3</source>
        <translation>%1 向 %2 支付 %3</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="178"/>
        <source>nothing between banks yet (merchants not paid out)</source>
        <translation>银行间暂无往来（商户尚未付款）</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="184"/>
        <location filename="../../ui/clearing_tab.py" line="216"/>
        <location filename="../../ui/clearing_tab.py" line="228"/>
        <source>Show a statement first.</source>
        <translation>请先显示对账单。</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="187"/>
        <source>Export the statement</source>
        <translation>导出对账单</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="207"/>
        <source>Could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="210"/>
        <source>Statement written to %1</source>
        <translation>对账单已写入 %1</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="220"/>
        <source>Cycle closed at height %H.</source>
        <translation>已在高度 %H 完成本周期结算。</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="231"/>
        <source>Close the cycle first: only a settled cycle is paid.</source>
        <translation>请先关闭周期：只有已结算的周期才能付款。</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="235"/>
        <location filename="../../ui/clearing_tab.py" line="271"/>
        <source>Enter the bank transfer&apos;s reference.</source>
        <translation>请输入银行转账流水号。</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="244"/>
        <source>Merchant paid out %1 at height %H.</source>
        <translation>已向商户付款 %1，区块高度 %H。</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="245"/>
        <source>Cycle closed out at %1 (nothing to pay the merchant) at height %H.</source>
        <translation>周期已按 %1 结清（无需向商户付款），高度 %H。</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="256"/>
        <source>Your bank&apos;s points paid nothing in this cycle.</source>
        <translation>本周期内本行积分未支付任何款项。</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="259"/>
        <source>Points settled: %1 at height %H.</source>
        <translation>积分已结算：%1，区块高度 %H。</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="268"/>
        <source>Your bank owes no other bank for this cycle.</source>
        <translation>本周期本行不欠其他银行款项。</translation>
    </message>
    <message>
        <location filename="../../ui/clearing_tab.py" line="277"/>
        <source>Paid %1 %2 net at height %H.</source>
        <translation>已向 %1 支付净额 %2，区块高度 %H。</translation>
    </message>
</context>
<context>
    <name>Columns</name>
    <message>
        <location filename="../../ui/strings.py" line="10"/>
        <source>Card</source>
        <translation>卡号</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="11"/>
        <source>Holder</source>
        <translation>持卡人</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="12"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="13"/>
        <source>Balance</source>
        <translation>余额</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="14"/>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="15"/>
        <source>Issued</source>
        <translation>发卡时间</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="16"/>
        <source>Value</source>
        <translation>面值</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="17"/>
        <source>Alone, at most</source>
        <translation>单独最多</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="18"/>
        <source>Together</source>
        <translation>合用抵扣</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="19"/>
        <source>By</source>
        <translation>经办</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="20"/>
        <source>Proposed by</source>
        <translation>申请人</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="21"/>
        <source>Decided by</source>
        <translation>复核人</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="22"/>
        <source>waiting for a second clerk</source>
        <translation>等待复核</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="23"/>
        <source>approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="24"/>
        <source>declined</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="25"/>
        <source>Cashier</source>
        <translation>收银员</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="26"/>
        <source>From</source>
        <translation>自</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="27"/>
        <source>To</source>
        <translation>至</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="28"/>
        <source>Sales</source>
        <translation>销售笔数</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="29"/>
        <source>Sales amount</source>
        <translation>销售金额</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="30"/>
        <source>Refused</source>
        <translation>被拒绝</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="31"/>
        <source>Undecided</source>
        <translation>未决</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="32"/>
        <source>Returned</source>
        <translation>已退回</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="33"/>
        <source>To return</source>
        <translation>本次退回</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="34"/>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="35"/>
        <source>Phone</source>
        <translation>手机号码</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="38"/>
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="39"/>
        <source>Card file</source>
        <translation>卡文件</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="40"/>
        <source>Merchant</source>
        <translation>商户</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="41"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="42"/>
        <source>Acquirer</source>
        <translation>收单行</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="43"/>
        <source>Fee (bp)</source>
        <translation>费率（基点）</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="44"/>
        <source>Cut-off</source>
        <translation>日切时间</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="45"/>
        <source>Terminals</source>
        <translation>终端</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="46"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="47"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="48"/>
        <source>Order</source>
        <translation>订单</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="49"/>
        <source>Terminal</source>
        <translation>终端</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="50"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="51"/>
        <source>Card paid</source>
        <translation>卡内支付</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="52"/>
        <source>Validator</source>
        <translation>验证节点</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="53"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="54"/>
        <source>Height</source>
        <translation>高度</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="55"/>
        <source>Behind</source>
        <translation>落后</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="56"/>
        <source>View</source>
        <translation>视图</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="57"/>
        <source>Primary</source>
        <translation>主节点</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="58"/>
        <source>Connected peers</source>
        <translation>已连接节点</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="59"/>
        <source>Queued</source>
        <translation>排队</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="60"/>
        <source>Longest stall (ms)</source>
        <translation>最长停顿（毫秒）</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="61"/>
        <source>Last view change</source>
        <translation>上次视图切换</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="62"/>
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="63"/>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="64"/>
        <source>Price</source>
        <translation>单价</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="65"/>
        <source>Bank</source>
        <translation>银行</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="66"/>
        <source>Points held</source>
        <translation>持有积分</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="67"/>
        <source>Eligible goods</source>
        <translation>可用积分商品</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="68"/>
        <source>Difference</source>
        <translation>差异</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="69"/>
        <source>Till</source>
        <translation>收银机</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="70"/>
        <source>Chain</source>
        <translation>链上</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="71"/>
        <source>Transaction</source>
        <translation>交易</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="72"/>
        <source>Transactions</source>
        <translation>交易数</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="73"/>
        <source>Block hash</source>
        <translation>区块哈希</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="74"/>
        <source>Decision</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="37"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="75"/>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="76"/>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="77"/>
        <source>Subject</source>
        <translation>对象</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="78"/>
        <source>What happened</source>
        <translation>情况</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="79"/>
        <source>Prepaid outstanding</source>
        <translation>预付资金余额</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="80"/>
        <source>Custody deposit</source>
        <translation>存管保证金</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="81"/>
        <source>Coverage</source>
        <translation>覆盖率</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="36"/>
        <source>Cards</source>
        <translation>卡</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="82"/>
        <source>Payments</source>
        <translation>支付笔数</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="83"/>
        <source>Gross</source>
        <translation>总额</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="84"/>
        <source>Refunds</source>
        <translation>退款</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="85"/>
        <source>Refunded</source>
        <translation>已退款</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="86"/>
        <source>Left to refund</source>
        <translation>可退金额</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="87"/>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="88"/>
        <source>payment</source>
        <translation>支付</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="89"/>
        <source>refund</source>
        <translation>退款</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="90"/>
        <source>on the till, not on chain</source>
        <translation>收银机有，链上没有</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="91"/>
        <source>on chain, not on the till</source>
        <translation>链上有，收银机没有</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="92"/>
        <source>amounts differ</source>
        <translation>金额不一致</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="93"/>
        <source>refused on chain</source>
        <translation>链上拒绝</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="94"/>
        <source>declined after offline acceptance</source>
        <translation>离线受理后被拒绝</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="95"/>
        <source>committed</source>
        <translation>已上链</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="96"/>
        <source>pending: outcome unknown</source>
        <translation>待定：结果未知</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="97"/>
        <source>taken offline, not sent yet</source>
        <translation>已离线受理，尚未发送</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="98"/>
        <source>not sent</source>
        <translation>未发送</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="99"/>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="100"/>
        <source>Sent</source>
        <translation>发送次数</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="101"/>
        <source>up</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="102"/>
        <source>view change</source>
        <translation>视图切换中</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="103"/>
        <source>unreachable</source>
        <translation>无法连接</translation>
    </message>
</context>
<context>
    <name>Confirm</name>
    <message>
        <location filename="../../ui/confirm.py" line="37"/>
        <source>Reason (recorded on chain with the act)</source>
        <translation>原因（随操作记录上链）</translation>
    </message>
    <message>
        <location filename="../../ui/confirm.py" line="38"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../ui/confirm.py" line="45"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>ConsoleWindow</name>
    <message>
        <location filename="../../ui/console.py" line="61"/>
        <source>CardChain — Bank console</source>
        <translation>卡链 — 银行柜台</translation>
    </message>
    <message>
        <location filename="../../ui/console.py" line="62"/>
        <source>%1 · clerk console (%2)</source>
        <translation>%1 · 柜员控制台（%2）</translation>
    </message>
    <message>
        <location filename="../../ui/console.py" line="65"/>
        <source>CardChain — Clearing house</source>
        <translation>卡链 — 清算机构</translation>
    </message>
    <message>
        <location filename="../../ui/console.py" line="66"/>
        <source>Clearing house console (%1)</source>
        <translation>清算机构控制台（%1）</translation>
    </message>
    <message>
        <location filename="../../ui/console.py" line="68"/>
        <source>Cards</source>
        <translation>卡</translation>
    </message>
    <message>
        <location filename="../../ui/console.py" line="68"/>
        <source>Customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../ui/console.py" line="69"/>
        <source>Approvals</source>
        <translation>复核</translation>
    </message>
    <message>
        <location filename="../../ui/console.py" line="70"/>
        <source>Card sales</source>
        <translation>售卡</translation>
    </message>
    <message>
        <location filename="../../ui/console.py" line="71"/>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <location filename="../../ui/console.py" line="72"/>
        <source>Merchants &amp;&amp; terminals</source>
        <translation>商户与终端</translation>
    </message>
    <message>
        <location filename="../../ui/console.py" line="73"/>
        <source>Clearing</source>
        <translation>清算</translation>
    </message>
    <message>
        <location filename="../../ui/console.py" line="73"/>
        <source>Custody</source>
        <translation>存管保证金</translation>
    </message>
    <message>
        <location filename="../../ui/console.py" line="74"/>
        <source>Network</source>
        <translation>网络</translation>
    </message>
</context>
<context>
    <name>CustodyTab</name>
    <message>
        <location filename="../../ui/console_tabs.py" line="235"/>
        <source>Deposit held in custody (¥)</source>
        <translation>存管保证金（元）</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="236"/>
        <source>Attest on chain</source>
        <translation>上链声明</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="251"/>
        <source>Prepaid funds outstanding: %1
Custody deposit attested: %2
Coverage: %3
Cards issued: %4</source>
        <translation>预付资金余额：%1
已声明存管保证金：%2
覆盖率：%3
已发卡：%4</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="259"/>
        <source>Nothing outstanding: no coverage to keep.</source>
        <translation>无预付资金余额，无需覆盖。</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="262"/>
        <source>Regulator&apos;s level: %1 (coverage under %2 %)</source>
        <translation>监管级别：%1（覆盖率低于 %2 %）</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="265"/>
        <source>Regulator&apos;s levels met (warning under %1 %)</source>
        <translation>符合监管要求（低于 %1 % 时警告）</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="273"/>
        <source>Custody deposit: %1</source>
        <translation>存管保证金：%1</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="277"/>
        <source>Custody attested at height %H.</source>
        <translation>已在高度 %H 声明存管保证金。</translation>
    </message>
</context>
<context>
    <name>CustomerDisplay</name>
    <message>
        <location filename="../../ui/customer_display.py" line="54"/>
        <source>CardChain — Customer display</source>
        <translation>卡链 — 顾客显示屏</translation>
    </message>
    <message>
        <location filename="../../ui/customer_display.py" line="58"/>
        <source>Total %1</source>
        <translation>合计 %1</translation>
    </message>
    <message>
        <location filename="../../ui/customer_display.py" line="61"/>
        <source>Welcome</source>
        <translation>欢迎光临</translation>
    </message>
    <message>
        <location filename="../../ui/customer_display.py" line="64"/>
        <source>Your points pay %1 · your card pays %2</source>
        <translation>积分抵扣 %1 · 卡支付 %2</translation>
    </message>
</context>
<context>
    <name>CustomerTab</name>
    <message>
        <location filename="../../ui/customer_tab.py" line="77"/>
        <location filename="../../ui/customer_tab.py" line="78"/>
        <source>Holder&apos;s name or ID number</source>
        <translation>持卡人姓名或证件号码</translation>
    </message>
    <message>
        <location filename="../../ui/customer_tab.py" line="79"/>
        <source>Find customer</source>
        <translation>查找客户</translation>
    </message>
    <message>
        <location filename="../../ui/customer_tab.py" line="80"/>
        <source>Their cards</source>
        <translation>名下卡片</translation>
    </message>
    <message>
        <location filename="../../ui/customer_tab.py" line="81"/>
        <source>Transactions of all their cards</source>
        <translation>名下所有卡片的交易</translation>
    </message>
    <message>
        <location filename="../../ui/customer_tab.py" line="90"/>
        <source>Type a name or an ID number.</source>
        <translation>请输入姓名或证件号码。</translation>
    </message>
    <message>
        <location filename="../../ui/customer_tab.py" line="133"/>
        <source>%1 customers found</source>
        <translation>找到 %1 位客户</translation>
    </message>
</context>
<context>
    <name>DayTab</name>
    <message>
        <location filename="../../ui/pos_day.py" line="95"/>
        <source>Settlement cycle</source>
        <translation>结算周期</translation>
    </message>
    <message>
        <location filename="../../ui/pos_day.py" line="96"/>
        <source>Reconcile till with chain</source>
        <translation>收银机与链上对账</translation>
    </message>
    <message>
        <location filename="../../ui/pos_day.py" line="97"/>
        <source>Cycle totals (from the chain)</source>
        <translation>周期汇总（来自链上）</translation>
    </message>
    <message>
        <location filename="../../ui/pos_day.py" line="98"/>
        <source>Reconciliation</source>
        <translation>对账</translation>
    </message>
    <message>
        <location filename="../../ui/pos_day.py" line="99"/>
        <source>Payments</source>
        <translation>支付笔数</translation>
    </message>
    <message>
        <location filename="../../ui/pos_day.py" line="99"/>
        <source>Gross</source>
        <translation>总额</translation>
    </message>
    <message>
        <location filename="../../ui/pos_day.py" line="100"/>
        <source>Refunds</source>
        <translation>退款</translation>
    </message>
    <message>
        <location filename="../../ui/pos_day.py" line="100"/>
        <source>Paid by bank points</source>
        <translation>银行积分抵扣</translation>
    </message>
    <message>
        <location filename="../../ui/pos_day.py" line="101"/>
        <source>Fee</source>
        <translation>手续费</translation>
    </message>
    <message>
        <location filename="../../ui/pos_day.py" line="101"/>
        <source>Net to merchant</source>
        <translation>商户净额</translation>
    </message>
    <message>
        <location filename="../../ui/pos_day.py" line="102"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/pos_day.py" line="171"/>
        <source>End of day</source>
        <translation>日结</translation>
    </message>
    <message>
        <location filename="../../ui/pos_day.py" line="181"/>
        <source>%1 · refunds %2</source>
        <translation>%1 · 退款 %2</translation>
    </message>
    <message>
        <location filename="../../ui/pos_day.py" line="184"/>
        <source>settled on chain</source>
        <translation>已在链上结算</translation>
    </message>
    <message>
        <location filename="../../ui/pos_day.py" line="185"/>
        <source>open</source>
        <translation>未结算</translation>
    </message>
    <message>
        <location filename="../../ui/pos_day.py" line="166"/>
        <location filename="../../ui/pos_day.py" line="195"/>
        <source>No cycle selected.</source>
        <translation>未选择周期。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_day.py" line="199"/>
        <source>The till journal cannot be read: %1</source>
        <translation>无法读取收银流水：%1</translation>
    </message>
    <message>
        <location filename="../../ui/pos_day.py" line="235"/>
        <source>Till and chain agree: %1 transactions matched.</source>
        <translation>收银机与链上一致：%1 笔交易相符。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_day.py" line="225"/>
        <source>Reconciliation clean.</source>
        <translation>对账无差异。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_day.py" line="237"/>
        <source> %1 refused sale(s), listed below.</source>
        <translation> 另有 %1 笔被拒绝的销售，列于下方。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_day.py" line="240"/>
        <source>%1 matched, %2 differences (listed below).</source>
        <translation>%1 笔相符，%2 处差异（见下表）。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_day.py" line="227"/>
        <source>The till and the chain differ; see the list.</source>
        <translation>收银机与链上不一致，请查看列表。</translation>
    </message>
</context>
<context>
    <name>Detail</name>
    <message>
        <location filename="../../ui/texts.py" line="318"/>
        <source>card %1 holds %2; %3 is due</source>
        <translation>卡 %1 余额 %2，应付 %3</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="321"/>
        <source>an anonymous card may hold at most %1; this would make %2 on card %3</source>
        <translation>不记名卡最多可存 %1；此操作后卡 %3 将有 %2</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="325"/>
        <source>a named card may hold at most %1; this would make %2 on card %3</source>
        <translation>记名卡最多可存 %1；此操作后卡 %3 将有 %2</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="328"/>
        <source>card %1 is %2</source>
        <translation>卡 %1 %2</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="329"/>
        <source>card %1 has expired</source>
        <translation>卡 %1 已过期</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="332"/>
        <source>only %1 of that payment is left to refund</source>
        <translation>该笔付款仅剩 %1 可退</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="335"/>
        <source>bank %1 takes “%2” from two clerks: it goes to another clerk for approval</source>
        <translation>%1 银行的“%2”须双人复核：已转交另一名柜员批准</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="357"/>
        <source>amounts: %1</source>
        <translation>涉及金额：%1</translation>
    </message>
</context>
<context>
    <name>Forms</name>
    <message>
        <location filename="../../ui/common.py" line="49"/>
        <source>enter an amount in yuan, like 50 or 12.50</source>
        <translation>请输入以元为单位的金额，如 50 或 12.50</translation>
    </message>
    <message>
        <location filename="../../ui/common.py" line="52"/>
        <source>at most two decimals (fen)</source>
        <translation>最多两位小数（分）</translation>
    </message>
    <message>
        <location filename="../../ui/common.py" line="55"/>
        <source>the amount must be more than zero</source>
        <translation>金额必须大于零</translation>
    </message>
    <message>
        <location filename="../../ui/common.py" line="58"/>
        <source>the amount is too large</source>
        <translation>金额过大</translation>
    </message>
    <message>
        <location filename="../../ui/common.py" line="71"/>
        <source>Cannot write the card file: %1</source>
        <translation>无法写入卡文件：%1</translation>
    </message>
    <message>
        <location filename="../../ui/common.py" line="103"/>
        <source>Could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
</context>
<context>
    <name>GoodsPanel</name>
    <message>
        <location filename="../../ui/pos_goods.py" line="104"/>
        <source>Goods (★ can be paid partly with points)</source>
        <translation>商品（★ 可用积分部分抵扣）</translation>
    </message>
    <message>
        <location filename="../../ui/pos_goods.py" line="105"/>
        <source>SKU or name, Enter adds it (3*SKU: three)</source>
        <translation>商品编码或名称，回车加入（3*编码：三件）</translation>
    </message>
    <message>
        <location filename="../../ui/pos_goods.py" line="106"/>
        <source>SKU or name</source>
        <translation>商品编码或名称</translation>
    </message>
    <message>
        <location filename="../../ui/pos_goods.py" line="139"/>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../../ui/pos_goods.py" line="143"/>
        <source>All goods</source>
        <translation>全部商品</translation>
    </message>
    <message>
        <location filename="../../ui/pos_goods.py" line="166"/>
        <source>A quantity is 1 to %1.</source>
        <translation>数量为 1 至 %1。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_goods.py" line="171"/>
        <source>No item matches “%1”.</source>
        <translation>没有与“%1”相符的商品。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_goods.py" line="172"/>
        <source>%1 items match “%2”: type more of the name or the SKU.</source>
        <translation>有 %1 件商品与“%2”相符：请多输入一些名称或编码。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_goods.py" line="202"/>
        <source>%1 of %2 goods match</source>
        <translation>%2 件商品中 %1 件相符</translation>
    </message>
    <message>
        <location filename="../../ui/pos_goods.py" line="218"/>
        <source>Points from: %1</source>
        <translation>可用积分：%1</translation>
    </message>
</context>
<context>
    <name>LiveTab</name>
    <message>
        <location filename="../../ui/regulator.py" line="147"/>
        <source>Latest blocks (live)</source>
        <translation>最新区块（实时）</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="148"/>
        <source>Search transactions</source>
        <translation>查询交易</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="149"/>
        <source>Card</source>
        <translation>卡号</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="149"/>
        <source>Merchant</source>
        <translation>商户</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="150"/>
        <source>Bank</source>
        <translation>银行</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="150"/>
        <source>Transaction id</source>
        <translation>交易编号</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="151"/>
        <source>Min ¥</source>
        <translation>最小金额</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="151"/>
        <source>Max ¥</source>
        <translation>最大金额</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="152"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="152"/>
        <source>Decision</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="156"/>
        <source>From</source>
        <translation>自</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="156"/>
        <source>To</source>
        <translation>至</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="159"/>
        <source>Double-click a block for its transactions</source>
        <translation>双击区块查看其中的交易</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="160"/>
        <source>Double-click a transaction for its detail and verified receipt</source>
        <translation>双击交易查看详情及已验证的回执</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="162"/>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="163"/>
        <source>All transactions</source>
        <translation>全部交易</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="166"/>
        <location filename="../../ui/regulator.py" line="170"/>
        <source>any</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="176"/>
        <source>Search</source>
        <translation>查询</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="177"/>
        <source>Next page</source>
        <translation>下一页</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="223"/>
        <source>Search: %1</source>
        <translation>查询：%1</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="226"/>
        <source>Search: the From day is after the To day.</source>
        <translation>查询：起始日期晚于结束日期。</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="229"/>
        <source>Search: the minimum is above the maximum.</source>
        <translation>查询：最小金额大于最大金额。</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="237"/>
        <source>Search: a transaction id is 64 hexadecimal characters.</source>
        <translation>查询：交易编号为 64 位十六进制字符。</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="248"/>
        <source>No more transactions.</source>
        <translation>没有更多交易。</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="312"/>
        <source>Search first: no transactions are shown.</source>
        <translation>请先查询：当前没有显示交易。</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="314"/>
        <source>Export the transactions</source>
        <translation>导出交易</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="323"/>
        <source>%1 transactions written to %2</source>
        <translation>已将 %1 笔交易写入 %2</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="327"/>
        <source>%1 transactions shown%2</source>
        <translation>已显示 %1 笔交易%2</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="328"/>
        <source>, more available</source>
        <translation>，还有更多</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="331"/>
        <source>Block %1: %2</source>
        <translation>区块 %1：%2</translation>
    </message>
</context>
<context>
    <name>MerchantsTab</name>
    <message>
        <location filename="../../ui/console_tabs.py" line="128"/>
        <source>Register a merchant</source>
        <translation>登记商户</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="130"/>
        <source>Merchant id</source>
        <translation>商户编号</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="130"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="130"/>
        <source>Acquiring bank</source>
        <translation>收单银行</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="131"/>
        <source>Fee (basis points)</source>
        <translation>费率（基点）</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="131"/>
        <source>Daily cut-off (HH:MM)</source>
        <translation>日切时间（时:分）</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="136"/>
        <source>Register merchant</source>
        <translation>登记商户</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="137"/>
        <source>Add a terminal to the selected merchant</source>
        <translation>为选中商户添加终端</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="139"/>
        <source>Terminal id</source>
        <translation>终端编号</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="139"/>
        <source>Key file passphrase</source>
        <translation>密钥文件口令</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="140"/>
        <source>Write the key file to</source>
        <translation>密钥文件保存到</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="143"/>
        <source>Create key and register terminal</source>
        <translation>生成密钥并登记终端</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="164"/>
        <source>merchant id: letters, digits and &apos;-&apos;, up to 32</source>
        <translation>商户编号：字母、数字和“-”，最多 32 个字符</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="166"/>
        <source>name is required</source>
        <translation>名称必填</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="169"/>
        <source>fee: whole basis points, 0 to 10000</source>
        <translation>费率：0 到 10000 的整数基点</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="171"/>
        <source>cut-off: a time like 23:00</source>
        <translation>日切时间：如 23:00</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="178"/>
        <source>Merchant registered at height %H.</source>
        <translation>已在高度 %H 登记商户。</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="185"/>
        <source>Select the merchant in the list first.</source>
        <translation>请先在列表中选择商户。</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="188"/>
        <source>Terminal id: letters, digits and &apos;-&apos;, up to 32.</source>
        <translation>终端编号：字母、数字和“-”，最多 32 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="191"/>
        <source>The key file passphrase needs at least 8 characters.</source>
        <translation>密钥文件口令至少 8 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/console_tabs.py" line="206"/>
        <source>Terminal registered at height %H; key file: %1</source>
        <translation>已在高度 %H 登记终端；密钥文件：%1</translation>
    </message>
</context>
<context>
    <name>NetworkTab</name>
    <message>
        <location filename="../../ui/network.py" line="50"/>
        <source>%1 validators agree by PBFT: the network keeps going with up to %2 of them down or faulty, and every block carries the signatures of %3.</source>
        <translation>%1 个验证节点通过 PBFT 达成共识：最多 %2 个节点宕机或作恶时网络仍可运行，每个区块都带有 %3 个节点的签名。</translation>
    </message>
    <message>
        <location filename="../../ui/network.py" line="75"/>
        <source>This app&apos;s own node (%1): height %2, verified %3 blocks&apos; certificates, rejected %4.</source>
        <translation>本程序自带节点（%1）：高度 %2，已校验 %3 个区块的证书，拒绝 %4 个。</translation>
    </message>
</context>
<context>
    <name>Numpad</name>
    <message>
        <location filename="../../ui/pos_numpad.py" line="41"/>
        <source>Numpad</source>
        <translation>数字键盘</translation>
    </message>
    <message>
        <location filename="../../ui/pos_numpad.py" line="42"/>
        <source>Delete the last character</source>
        <translation>删除最后一个字符</translation>
    </message>
    <message>
        <location filename="../../ui/pos_numpad.py" line="43"/>
        <source>Quantity for the next item</source>
        <translation>下一件商品的数量</translation>
    </message>
    <message>
        <location filename="../../ui/pos_numpad.py" line="44"/>
        <source>Clear the field</source>
        <translation>清空</translation>
    </message>
    <message>
        <location filename="../../ui/pos_numpad.py" line="44"/>
        <source>Enter</source>
        <translation>确认</translation>
    </message>
</context>
<context>
    <name>PaymentPicker</name>
    <message>
        <location filename="../../ui/sales_tab.py" line="52"/>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../../ui/sales_tab.py" line="53"/>
        <source>Bank transfer</source>
        <translation>银行转账</translation>
    </message>
    <message>
        <location filename="../../ui/sales_tab.py" line="54"/>
        <source>Debit card</source>
        <translation>借记卡</translation>
    </message>
    <message>
        <location filename="../../ui/sales_tab.py" line="55"/>
        <source>Person</source>
        <translation>个人</translation>
    </message>
    <message>
        <location filename="../../ui/sales_tab.py" line="56"/>
        <source>Organisation</source>
        <translation>单位</translation>
    </message>
    <message>
        <location filename="../../ui/sales_tab.py" line="64"/>
        <source>transfer reference</source>
        <translation>转账流水号</translation>
    </message>
    <message>
        <location filename="../../ui/sales_tab.py" line="65"/>
        <source>Payment method</source>
        <translation>付款方式</translation>
    </message>
    <message>
        <location filename="../../ui/sales_tab.py" line="66"/>
        <source>Payer</source>
        <translation>付款人</translation>
    </message>
    <message>
        <location filename="../../ui/sales_tab.py" line="79"/>
        <source>a bank transfer needs its reference</source>
        <translation>银行转账须填写转账流水号</translation>
    </message>
</context>
<context>
    <name>PaymentsTab</name>
    <message>
        <location filename="../../ui/pos_pending.py" line="52"/>
        <source>Every payment this till signed, kept on disk before it was sent. A pending payment is looked up and sent again as the same signed bytes until the network decides it, so a customer is never charged twice.</source>
        <translation>本收银机签名的每笔付款，发送前均已存盘。待定的付款会被查询，并以相同的已签名数据重新发送，直到网络作出决定，因此不会重复扣款。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pending.py" line="55"/>
        <source>Look up pending payments now</source>
        <translation>立即查询待定付款</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pending.py" line="71"/>
        <source>%1 waiting for the network</source>
        <translation>%1 笔等待网络</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pending.py" line="73"/>
        <source>%1 declined after offline acceptance</source>
        <translation>%1 笔离线受理后被拒绝</translation>
    </message>
</context>
<context>
    <name>PointsTab</name>
    <message>
        <location filename="../../ui/points_tab.py" line="109"/>
        <source>Points contract of %1 (on chain)</source>
        <translation>%1 的积分合约（链上）</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="110"/>
        <source>Points per yuan</source>
        <translation>每元所需积分</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="111"/>
        <source>Largest share of an item (%)</source>
        <translation>单件商品最高抵扣比例（%）</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="112"/>
        <source>Most per order (¥)</source>
        <translation>每单最高抵扣（元）</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="113"/>
        <source>Points expire after (days; 0: never)</source>
        <translation>积分有效期（天；0 为永久）</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="116"/>
        <source>Publish new contract</source>
        <translation>发布新合约</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="118"/>
        <source>Every till asks the chain for the points offer, and every validator checks each payment against this contract: what the till shows is what the chain accepts. Earning rates stay as they are.</source>
        <translation>每台收银机都向链上查询积分抵扣方案，每个验证节点都按此合约核验每笔支付：收银机显示的就是链上接受的。积分累积规则保持不变。</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="121"/>
        <source>Points of a day</source>
        <translation>当日积分</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="122"/>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="123"/>
        <source>Earned by cardholders</source>
        <translation>持卡人累积</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="124"/>
        <source>Granted by clerks</source>
        <translation>柜员发放</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="125"/>
        <source>Redeemed at tills</source>
        <translation>收银抵扣</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="126"/>
        <source>Given back by refunds</source>
        <translation>退款退回</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="127"/>
        <source>Taken back by refunds</source>
        <translation>退款扣回</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="128"/>
        <source>Expired at the day&apos;s close</source>
        <translation>日终过期</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="130"/>
        <source>Expire points at this day&apos;s close</source>
        <translation>执行该日日终积分过期</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="131"/>
        <source>Goods our points pay for, per terminal</source>
        <translation>按终端设定本行积分可抵扣的商品</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="132"/>
        <source>Terminal</source>
        <translation>终端</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="133"/>
        <source>Our own choice at this terminal</source>
        <translation>本行在此终端自行设定</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="134"/>
        <source>Most per order here (¥)</source>
        <translation>此终端每单最多（¥）</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="135"/>
        <source>Publish this terminal&apos;s rule</source>
        <translation>发布此终端规则</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="137"/>
        <source>Without a rule of ours, the merchant&apos;s catalogue decides which goods accept our points at that terminal, and the contract&apos;s cap applies.</source>
        <translation>本行未设规则的终端，由商户商品目录决定哪些商品接受本行积分，并适用合约上限。</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="147"/>
        <source> (today)</source>
        <translation>（今天）</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="188"/>
        <source>Expiry step run (transaction %1): %2 points of %3 card(s) expired.</source>
        <translation>已执行过期处理（交易 %1）：%3 张卡共 %2 积分过期。</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="192"/>
        <source>Our points do not expire (contract).</source>
        <translation>本行积分永久有效（合约）。</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="194"/>
        <source>Today has not closed yet.</source>
        <translation>今日尚未日终。</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="197"/>
        <source>At this day&apos;s close, points earned %1 or more days before it expire.</source>
        <translation>该日日终时，早于该日 %1 天或更久获得的积分过期。</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="231"/>
        <source>points per yuan</source>
        <translation>每元积分</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="232"/>
        <source>share of eligible goods (bp)</source>
        <translation>可抵扣商品比例（基点）</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="233"/>
        <source>most per order (fen)</source>
        <translation>每单最多（分）</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="234"/>
        <source>days points live</source>
        <translation>积分有效天数</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="235"/>
        <source>terminal rules</source>
        <translation>终端规则</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="247"/>
        <source>Publish a new points contract for %1?</source>
        <translation>发布 %1 的新积分合约？</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="248"/>
        <source>Every till pays with these terms from the next block:
%1</source>
        <translation>自下一个区块起，所有收银台按以下条款支付：
%1</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="249"/>
        <source>(no change)</source>
        <translation>（无变化）</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="250"/>
        <source>Publish</source>
        <translation>发布</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="278"/>
        <source>No terminal to set a rule for.</source>
        <translation>没有可设定规则的终端。</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="286"/>
        <source>Most per order here: %1</source>
        <translation>此终端每单最多：%1</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="297"/>
        <source>Rule for terminal %1 published at height %H.</source>
        <translation>终端 %1 的规则已在高度 %H 发布。</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="303"/>
        <source>Points expired at the close of %1 (height %H).</source>
        <translation>%1 日终积分已过期（高度 %H）。</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="261"/>
        <source>points per yuan: 1 to 100,000</source>
        <translation>每元积分：1 到 100,000</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="263"/>
        <source>share: more than 0 and at most 100 %</source>
        <translation>比例：大于 0 且不超过 100%</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="265"/>
        <source>expiry: 0 to 36,500 days</source>
        <translation>有效期：0 至 36,500 天</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="268"/>
        <source>Contract: %1</source>
        <translation>合约：%1</translation>
    </message>
    <message>
        <location filename="../../ui/points_tab.py" line="272"/>
        <source>Contract published at height %H.</source>
        <translation>已在高度 %H 发布合约。</translation>
    </message>
</context>
<context>
    <name>PosWindow</name>
    <message>
        <location filename="../../ui/pos.py" line="242"/>
        <source>CardChain — Point of sale</source>
        <translation>卡链 — 收银台</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="245"/>
        <source>%1 · terminal %2</source>
        <translation>%1 · 终端 %2</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="250"/>
        <source>Sale</source>
        <translation>销售</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="251"/>
        <source>Refunds</source>
        <translation>退款</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="252"/>
        <source>End of day</source>
        <translation>日结</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="253"/>
        <source>Payments</source>
        <translation>付款记录</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="260"/>
        <source>Remove line</source>
        <translation>删除此行</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="261"/>
        <source>New sale (F12)</source>
        <translation>新交易 (F12)</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="263"/>
        <source>Keys: F2 goods · F3 basket (+, −, Delete) · F4 card · F9 pay · F10 print · F12 new sale</source>
        <translation>快捷键：F2 商品 · F3 购物篮（+、−、Delete）· F4 卡片 · F9 支付 · F10 打印 · F12 新交易</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="273"/>
        <source>Pay (F9)</source>
        <translation>支付 (F9)</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="256"/>
        <source>Basket</source>
        <translation>购物篮</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="244"/>
        <source>%1 · terminal %2 · cashier %3</source>
        <translation>%1 · 终端 %2 · 收银员 %3</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="247"/>
        <source>Customer display (F11)</source>
        <translation>顾客显示屏 (F11)</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="257"/>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="258"/>
        <source>+1</source>
        <translation>+1</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="259"/>
        <source>−1</source>
        <translation>−1</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="265"/>
        <source>Card</source>
        <translation>卡片</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="266"/>
        <source>Card file</source>
        <translation>卡文件</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="267"/>
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="268"/>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="269"/>
        <source>Read card</source>
        <translation>读卡</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="270"/>
        <source>Points offer</source>
        <translation>积分抵扣方案</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="271"/>
        <source>Cash from the customer (¥)</source>
        <translation>顾客付现金（元）</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="272"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="342"/>
        <location filename="../../ui/pos.py" line="469"/>
        <source>A payment for this basket is under way: wait for its outcome.</source>
        <translation>此购物篮的付款正在处理中：请等待结果。</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="347"/>
        <source>Unknown item %1</source>
        <translation>未知商品 %1</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="360"/>
        <source>Select an item in the basket first.</source>
        <translation>请先在购物篮中选择商品。</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="415"/>
        <source>Total %1</source>
        <translation>合计 %1</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="420"/>
        <source>Add goods to see what the card&apos;s points can pay.</source>
        <translation>添加商品后可查看卡内积分能抵扣多少。</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="422"/>
        <source>Read a card to see what its points can pay.</source>
        <translation>读卡后可查看积分能抵扣多少。</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="430"/>
        <source>Points pay %1 (%2 points) · card pays %3</source>
        <translation>积分抵扣 %1（%2 积分）· 卡内支付 %3</translation>
    </message>
    <message>
        <location filename="../../ui/pos.py" line="434"/>
        <source>cash %1</source>
        <translation>现金 %1</translation>
    </message>
</context>
<context>
    <name>Reasons</name>
    <message>
        <location filename="../../ui/texts.py" line="83"/>
        <source>This order is already paid: look up its payment before charging again.</source>
        <translation>该订单已付款：再次收款前请先查询该笔付款。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="181"/>
        <source>order already paid</source>
        <translation>订单已付款</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="203"/>
        <source>Cards worth the real-name threshold (%threshold) or more were bought in one go without the buyer&apos;s registration (before chain format 5: a purchase that large with an anonymous card).</source>
        <translation>一次性购买达到实名门槛（%threshold）的预付卡而未登记购卡人（链格式 5 之前：用不记名卡进行同等金额的消费）。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="262"/>
        <source>commit certificate is malformed</source>
        <translation>提交证书格式错误</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="263"/>
        <source>the block cannot be read: %1</source>
        <translation>无法读取该区块：%1</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="264"/>
        <source>the database file is damaged: %1</source>
        <translation>数据库文件已损坏：%1</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="265"/>
        <source>re-execution stopped: block %1 is missing</source>
        <translation>重新执行中止：缺少区块 %1</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="266"/>
        <source>table %1 differs from the chain: %2</source>
        <translation>表 %1 与链上数据不一致：%2</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="267"/>
        <source>the result certificate does not hold: %1</source>
        <translation>结果证书无效：%1</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="268"/>
        <source>rows of table %1 name no block</source>
        <translation>表 %1 中有不属于任何区块的行</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="269"/>
        <source>effects are missing inside the kept range</source>
        <translation>保留范围内缺少执行结果</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="270"/>
        <source>the checkpoint proof does not hold</source>
        <translation>检查点证明无效</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="271"/>
        <source>state row %1 %2 is not written by any block</source>
        <translation>状态行 %1 %2 不是由任何区块写入的</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="272"/>
        <source>state row %1 %2 is missing (last written at height %3)</source>
        <translation>缺少状态行 %1 %2（最后写入高度 %3）</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="273"/>
        <source>state row %1 %2 differs from the chain in %3 (last written at height %4)</source>
        <translation>状态行 %1 %2 的 %3 与链上不一致（最后写入高度 %4）</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="276"/>
        <source>database metadata %1 is wrong</source>
        <translation>数据库元数据 %1 有误</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="20"/>
        <source>Accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="21"/>
        <source>The card&apos;s balance is too low for this payment.</source>
        <translation>卡内余额不足以支付。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="23"/>
        <source>The card is frozen, lost or closed and cannot be used.</source>
        <translation>此卡已冻结、挂失或销卡，无法使用。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="25"/>
        <source>This would take the card over its balance limit.</source>
        <translation>此操作会使卡内余额超过上限。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="26"/>
        <source>Cards worth this much bought in one go need the buyer&apos;s real-name registration.</source>
        <translation>一次性购买此金额的预付卡须登记购卡人实名信息。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="29"/>
        <source>Cards worth this much are paid by bank transfer, not cash.</source>
        <translation>此金额的购卡须通过银行转账支付，不得使用现金。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="31"/>
        <source>A top-up this large is paid by bank transfer, not cash.</source>
        <translation>此金额的充值须通过银行转账支付，不得使用现金。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="33"/>
        <source>An earlier cycle of this merchant has payments and is not settled: settle it first.</source>
        <translation>该商户有更早的周期存在交易且未结算：请先结算该周期。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="36"/>
        <source>The bank takes this from two clerks: it goes to a second clerk for approval.</source>
        <translation>本行此操作须双人复核：已转交第二名柜员批准。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="39"/>
        <source>No such proposal at this bank.</source>
        <translation>本行没有这项申请。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="40"/>
        <source>That proposal is already decided.</source>
        <translation>该申请已处理。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="41"/>
        <source>The clerk who proposed it cannot approve it: another clerk must.</source>
        <translation>申请人不能自己批准：须由另一名柜员处理。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="43"/>
        <source>The card is not known to the network.</source>
        <translation>网络中没有这张卡。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="44"/>
        <source>A signature does not verify (wrong PIN or a damaged card file).</source>
        <translation>签名校验失败（密码错误或卡文件损坏）。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="46"/>
        <source>You are not allowed to do this.</source>
        <translation>您无权执行此操作。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="47"/>
        <source>The transaction expired before the network ordered it.</source>
        <translation>交易在网络排序前已过期。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="49"/>
        <source>This transaction was already decided.</source>
        <translation>此交易已处理过。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="50"/>
        <source>The card does not hold enough points.</source>
        <translation>卡内积分不足。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="51"/>
        <source>The points requested exceed what the bank&apos;s contract allows.</source>
        <translation>所需积分超出银行合约的允许范围。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="53"/>
        <source>These goods cannot be paid with this bank&apos;s points.</source>
        <translation>这些商品不能用该银行积分抵扣。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="55"/>
        <source>The bank has no points contract.</source>
        <translation>该银行没有积分合约。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="56"/>
        <source>The amount is not valid.</source>
        <translation>金额无效。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="57"/>
        <source>The name is empty, too long or has control characters.</source>
        <translation>名称为空、过长或含有控制字符。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="59"/>
        <source>The card number is not valid.</source>
        <translation>卡号无效。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="60"/>
        <source>The request is not valid.</source>
        <translation>请求无效。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="61"/>
        <source>A card with this number already exists.</source>
        <translation>该卡号已存在。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="62"/>
        <source>The card has expired.</source>
        <translation>此卡已过期。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="63"/>
        <source>No such bank.</source>
        <translation>没有这家银行。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="64"/>
        <source>No such merchant.</source>
        <translation>没有这个商户。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="65"/>
        <source>No such terminal.</source>
        <translation>没有这个终端。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="66"/>
        <source>An item is not in the merchant&apos;s catalogue.</source>
        <translation>有商品不在商户的商品目录中。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="67"/>
        <source>No such payment.</source>
        <translation>没有这笔支付。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="68"/>
        <source>The total differs from the catalogue prices.</source>
        <translation>合计与目录价格不符。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="69"/>
        <source>A merchant with this id is already registered.</source>
        <translation>该商户编号已登记。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="71"/>
        <source>The merchant is not active.</source>
        <translation>该商户未启用。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="72"/>
        <source>A terminal with this id is already registered.</source>
        <translation>该终端编号已登记。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="74"/>
        <source>This key is already registered to someone else.</source>
        <translation>该密钥已被他人登记。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="75"/>
        <source>The cycle is still open: settle it after the cut-off.</source>
        <translation>周期尚未结束：请在日切后结算。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="77"/>
        <source>This cycle is already settled.</source>
        <translation>此周期已结算。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="78"/>
        <source>The statement does not match the chain.</source>
        <translation>对账单与链上数据不符。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="79"/>
        <source>The refund is larger than what is left of the payment.</source>
        <translation>退款金额超过该笔支付的剩余金额。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="81"/>
        <source>The card is not frozen.</source>
        <translation>此卡未冻结。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="82"/>
        <source>The merchant is on a regulatory hold.</source>
        <translation>该商户已被监管暂停。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="85"/>
        <source>The transaction was made for another network (chain id).</source>
        <translation>该交易是为另一个网络（链标识）生成的。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="87"/>
        <source>The transaction&apos;s expiry is too far in the future.</source>
        <translation>交易的过期时间过于遥远。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="89"/>
        <source>The card is closed.</source>
        <translation>此卡已销卡。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="90"/>
        <source>Only a named (real-name) card can do this; this one is anonymous.</source>
        <translation>只有记名（实名）卡可以办理此业务；此卡为不记名卡。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="92"/>
        <source>Transfers are between two different cards of the same bank.</source>
        <translation>转账只能在同一银行的两张不同卡之间进行。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="94"/>
        <source>The cycle is not settled yet: close it before paying it out.</source>
        <translation>该周期尚未结算：请先关闭周期再付款。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="96"/>
        <source>This was already paid on chain.</source>
        <translation>该款项已在链上支付。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="97"/>
        <source>The amount differs from what the settlement says is owed.</source>
        <translation>金额与结算单应付金额不符。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="102"/>
        <source>active</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="103"/>
        <source>frozen</source>
        <translation>已冻结</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="104"/>
        <source>lost</source>
        <translation>已挂失</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="105"/>
        <source>closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="106"/>
        <source>acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="107"/>
        <source>on hold</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="108"/>
        <source>warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="109"/>
        <source>high</source>
        <translation>高</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="110"/>
        <source>critical</source>
        <translation>严重</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="111"/>
        <source>info</source>
        <translation>提示</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="116"/>
        <source>card issued</source>
        <translation>发卡</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="117"/>
        <source>top-up</source>
        <translation>充值</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="118"/>
        <source>payment</source>
        <translation>支付</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="119"/>
        <source>refund</source>
        <translation>退款</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="120"/>
        <source>freeze</source>
        <translation>冻结</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="121"/>
        <source>unfreeze</source>
        <translation>解冻</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="122"/>
        <source>reported lost</source>
        <translation>挂失</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="123"/>
        <source>card closed</source>
        <translation>销卡</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="124"/>
        <source>points granted</source>
        <translation>发放积分</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="125"/>
        <source>points contract</source>
        <translation>积分合约</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="126"/>
        <source>merchant registered</source>
        <translation>商户登记</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="127"/>
        <source>terminal registered</source>
        <translation>终端登记</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="128"/>
        <source>catalogue</source>
        <translation>商品目录</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="129"/>
        <source>merchant hold</source>
        <translation>商户暂停</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="130"/>
        <source>settlement</source>
        <translation>结算</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="131"/>
        <source>custody attested</source>
        <translation>存管保证金申报</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="132"/>
        <source>case update</source>
        <translation>案件处理</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="133"/>
        <source>transfer</source>
        <translation>转账</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="134"/>
        <source>merchant payout</source>
        <translation>商户付款</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="135"/>
        <source>points settled</source>
        <translation>积分结算</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="136"/>
        <source>interbank settlement</source>
        <translation>银行间清算</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="137"/>
        <source>points expired</source>
        <translation>积分过期</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="138"/>
        <source>cards sold</source>
        <translation>售卡</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="139"/>
        <source>proposed for approval</source>
        <translation>提交复核</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="140"/>
        <source>approved by a second clerk</source>
        <translation>复核批准</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="141"/>
        <source>declined by a second clerk</source>
        <translation>复核驳回</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="145"/>
        <source>accepted</source>
        <translation>成功</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="146"/>
        <source>balance too low</source>
        <translation>余额不足</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="147"/>
        <source>card not active</source>
        <translation>卡不可用</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="148"/>
        <source>over balance cap</source>
        <translation>超过余额上限</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="149"/>
        <source>real name required</source>
        <translation>需实名</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="150"/>
        <source>unknown card</source>
        <translation>未知卡</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="151"/>
        <source>bad signature</source>
        <translation>签名无效</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="152"/>
        <source>not allowed</source>
        <translation>无权限</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="153"/>
        <source>expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="154"/>
        <source>duplicate</source>
        <translation>重复</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="155"/>
        <source>points too low</source>
        <translation>积分不足</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="156"/>
        <source>points over limit</source>
        <translation>积分超限</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="157"/>
        <source>points not accepted</source>
        <translation>不可用积分</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="158"/>
        <source>no points contract</source>
        <translation>无积分合约</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="159"/>
        <source>bad amount</source>
        <translation>金额无效</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="160"/>
        <source>bad name</source>
        <translation>名称无效</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="161"/>
        <source>bad card number</source>
        <translation>卡号无效</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="162"/>
        <source>malformed</source>
        <translation>格式错误</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="163"/>
        <source>card exists</source>
        <translation>卡已存在</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="164"/>
        <source>card expired</source>
        <translation>卡已过期</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="165"/>
        <source>unknown bank</source>
        <translation>未知银行</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="166"/>
        <source>unknown merchant</source>
        <translation>未知商户</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="167"/>
        <source>unknown terminal</source>
        <translation>未知终端</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="168"/>
        <source>unknown item</source>
        <translation>未知商品</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="169"/>
        <source>unknown payment</source>
        <translation>未知支付</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="170"/>
        <source>total differs</source>
        <translation>合计不符</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="171"/>
        <source>merchant exists</source>
        <translation>商户已存在</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="172"/>
        <source>merchant not active</source>
        <translation>商户未启用</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="173"/>
        <source>terminal exists</source>
        <translation>终端已存在</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="174"/>
        <source>key in use</source>
        <translation>密钥已占用</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="175"/>
        <source>cycle still open</source>
        <translation>周期未结束</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="176"/>
        <source>already settled</source>
        <translation>已结算</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="177"/>
        <source>statement mismatch</source>
        <translation>对账单不符</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="178"/>
        <source>refund too large</source>
        <translation>退款超额</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="179"/>
        <source>not frozen</source>
        <translation>未冻结</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="180"/>
        <source>regulatory hold</source>
        <translation>监管暂停</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="182"/>
        <source>wrong network</source>
        <translation>网络不符</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="183"/>
        <source>expiry too far</source>
        <translation>过期时间过远</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="184"/>
        <source>closed card</source>
        <translation>卡已注销</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="185"/>
        <source>anonymous card</source>
        <translation>不记名卡</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="186"/>
        <source>transfer not allowed</source>
        <translation>不允许转账</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="187"/>
        <source>not settled</source>
        <translation>未结算</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="188"/>
        <source>already paid</source>
        <translation>已支付</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="189"/>
        <source>amount differs</source>
        <translation>金额不符</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="190"/>
        <source>bank transfer required</source>
        <translation>须银行转账</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="191"/>
        <source>cash over limit</source>
        <translation>现金超限</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="192"/>
        <source>earlier cycle open</source>
        <translation>更早周期未结算</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="193"/>
        <source>needs a second clerk</source>
        <translation>须双人复核</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="194"/>
        <source>unknown proposal</source>
        <translation>申请不存在</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="195"/>
        <source>already decided</source>
        <translation>已处理</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="196"/>
        <source>same clerk</source>
        <translation>同一柜员</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="200"/>
        <source>balance cap</source>
        <translation>余额上限</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="200"/>
        <source>A card held, or was refused for trying to exceed, the balance cap (named %named, anonymous %anonymous).</source>
        <translation>卡内余额超过上限，或因试图超过上限而被拒绝（记名卡 %named，不记名卡 %anonymous）。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="203"/>
        <source>real name</source>
        <translation>实名</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="207"/>
        <source>split purchases</source>
        <translation>拆分消费</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="207"/>
        <source>Several purchases by one card in one day, each just under a threshold.</source>
        <translation>同一张卡一天内多笔消费，每笔都略低于门槛。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="209"/>
        <source>bulk cash purchase</source>
        <translation>大额现金购卡</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="209"/>
        <source>Prepaid value bought in cash above the bank-transfer threshold in one day: per named holder (individual) or per bank&apos;s anonymous cards (organisation).</source>
        <translation>一天内以现金购买的预付价值超过须银行转账的门槛：按记名持卡人（个人）或按银行的不记名卡（单位）计算。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="213"/>
        <source>rapid spending</source>
        <translation>快充快消</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="213"/>
        <source>A top-up followed by spending most of it within a short time.</source>
        <translation>充值后短时间内消费掉大部分金额。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="215"/>
        <source>refund ratio</source>
        <translation>退款比例</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="215"/>
        <source>A merchant whose refunds stand out against its takings and the other merchants&apos; in a cycle.</source>
        <translation>某商户在一个周期内的退款相对其交易额和其他商户明显偏高。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="218"/>
        <source>odd hours</source>
        <translation>异常时段</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="218"/>
        <source>Payments or top-ups at odd hours (local time).</source>
        <translation>在异常时段（当地时间）的支付或充值。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="220"/>
        <source>custody coverage</source>
        <translation>存管覆盖率</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="220"/>
        <source>An issuer&apos;s custody deposit attested on chain covers too little of its outstanding prepaid balances.</source>
        <translation>发卡机构在链上申报的存管保证金不足以覆盖其预付资金余额。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="226"/>
        <source>%count refused attempt(s) to exceed the balance cap</source>
        <translation>%count 次超过余额上限的尝试被拒绝</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="228"/>
        <source>balance %balance is above the cap of %cap</source>
        <translation>余额 %balance 超过上限 %cap</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="229"/>
        <source>an anonymous card tried to pay %amount</source>
        <translation>不记名卡尝试支付 %amount</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="230"/>
        <source>a sale of %amount of cards without the buyer&apos;s registration</source>
        <translation>售卡 %amount 未登记购卡人</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="232"/>
        <source>%count purchases in one day just under %threshold</source>
        <translation>一天内 %count 笔消费，均略低于 %threshold</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="234"/>
        <source>%total of prepaid value loaded in one day (limit %limit without a bank transfer)</source>
        <translation>一天内现金购入预付价值 %total（未经银行转账的上限为 %limit）</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="237"/>
        <source>%spent of a %amount top-up spent within %minutes minutes</source>
        <translation>充值 %amount 后 %minutes 分钟内消费 %spent</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="239"/>
        <source>refunds are %ratio_bp of takings in cycle %cycle (other merchants&apos; median %median_bp)</source>
        <translation>周期 %cycle 退款占交易额 %ratio_bp（其他商户中位数 %median_bp）</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="242"/>
        <source>%count transaction(s) between %from_hour:00 and %to_hour:00</source>
        <translation>%from_hour:00 至 %to_hour:00 之间 %count 笔交易</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="244"/>
        <source>custody deposit %custody covers %ratio_bp of %outstanding outstanding</source>
        <translation>存管保证金 %custody 覆盖预付资金余额 %outstanding 的 %ratio_bp</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="248"/>
        <source>block missing</source>
        <translation>缺少区块</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="249"/>
        <source>block hash does not match its header</source>
        <translation>区块哈希与区块头不符</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="250"/>
        <source>header is not canonical</source>
        <translation>区块头不是规范编码</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="251"/>
        <source>does not link to the previous block</source>
        <translation>未链接到上一个区块</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="252"/>
        <source>transactions do not match the header&apos;s Merkle root</source>
        <translation>交易与区块头的默克尔根不符</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="253"/>
        <source>header fields differ from the block row</source>
        <translation>区块头字段与区块记录不符</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="254"/>
        <source>no commit certificate</source>
        <translation>没有提交证书</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="255"/>
        <source>genesis block differs from the genesis file</source>
        <translation>创世区块与创世文件不符</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="256"/>
        <source>transaction %1 has an invalid signature</source>
        <translation>交易 %1 的签名无效</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="257"/>
        <source>a transaction cannot be decoded</source>
        <translation>有交易无法解码</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="258"/>
        <source>re-execution failed: %1</source>
        <translation>重新执行失败：%1</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="259"/>
        <source>re-execution gives another state root</source>
        <translation>重新执行得到不同的状态根</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="260"/>
        <source>re-execution decides a transaction differently</source>
        <translation>重新执行对某笔交易的处理结果不同</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="261"/>
        <source>state table %1 unreadable</source>
        <translation>状态表 %1 无法读取</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="277"/>
        <source>the certificate is malformed: %1</source>
        <translation>证书格式错误：%1</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="278"/>
        <source>the certificate is for another block (batch id differs)</source>
        <translation>证书属于另一个区块（批次标识不同）</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="279"/>
        <source>a certificate entry is not a COMMIT for this block</source>
        <translation>证书中有一项不是本区块的 COMMIT</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="280"/>
        <source>the certificate&apos;s view differs from its COMMITs&apos;</source>
        <translation>证书的视图与其 COMMIT 的视图不同</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="281"/>
        <source>COMMIT from unknown validator %1</source>
        <translation>来自未知验证节点 %1 的 COMMIT</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="282"/>
        <source>the COMMIT of validator-%1 has a bad signature</source>
        <translation>validator-%1 的 COMMIT 签名无效</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="283"/>
        <source>only %1 validators signed; %2 are needed</source>
        <translation>只有 %1 个验证节点签名，需要 %2 个</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="303"/>
        <source>Refused by the network rules (%1).</source>
        <translation>被网络规则拒绝（%1）。</translation>
    </message>
</context>
<context>
    <name>Receipt</name>
    <message>
        <location filename="../../ui/receipt_print.py" line="75"/>
        <source>Paid by %1 points</source>
        <translation>%1 积分抵扣</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="77"/>
        <source>%1 points earned</source>
        <translation>获得 %1 积分</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="79"/>
        <source>Order</source>
        <translation>订单</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="81"/>
        <source>Card</source>
        <translation>卡号</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="83"/>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="85"/>
        <source>Paid from the card</source>
        <translation>卡内支付</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="87"/>
        <source>Paid in cash</source>
        <translation>现金支付</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="89"/>
        <source>Card balance after</source>
        <translation>支付后卡内余额</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="91"/>
        <source>Committed on the CardChain ledger at height %1.</source>
        <translation>已记入卡链账本，高度 %1。</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="93"/>
        <source>Transaction</source>
        <translation>交易</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="95"/>
        <source>Scan or run &quot;cardchain verify-receipt&quot; to check this payment against the consortium&apos;s validator keys, without trusting the shop.</source>
        <translation>扫码或运行“cardchain verify-receipt”，即可用联盟验证节点的公钥核验这笔支付，无需信任商家。</translation>
    </message>
</context>
<context>
    <name>ReceiptPanel</name>
    <message>
        <location filename="../../ui/receipt_print.py" line="236"/>
        <source>Receipt</source>
        <translation>小票</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="237"/>
        <source>Save as PDF…</source>
        <translation>保存为 PDF…</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="238"/>
        <source>Print…</source>
        <translation>打印…</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="255"/>
        <source>The receipt appears here after a payment.</source>
        <translation>支付后小票显示在这里。</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="259"/>
        <source>Earned %1 %2 points</source>
        <translation>获得 %2 积分 %1</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="262"/>
        <source>Order %1</source>
        <translation>订单 %1</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="263"/>
        <source>Total %1</source>
        <translation>合计 %1</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="264"/>
        <source>Cash %1</source>
        <translation>现金 %1</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="266"/>
        <source>Block %1 · %2</source>
        <translation>区块 %1 · %2</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="268"/>
        <source>Transaction %1…</source>
        <translation>交易 %1…</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="274"/>
        <source>Save the receipt</source>
        <translation>保存小票</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="275"/>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="284"/>
        <source>Writing %1…</source>
        <translation>正在写入 %1…</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="290"/>
        <source>Could not save: %1</source>
        <translation>无法保存：%1</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="292"/>
        <source>Receipt saved to %1</source>
        <translation>小票已保存到 %1</translation>
    </message>
    <message>
        <location filename="../../ui/receipt_print.py" line="301"/>
        <source>Receipt sent to %1</source>
        <translation>收据已发送到 %1</translation>
    </message>
</context>
<context>
    <name>RefundTab</name>
    <message>
        <location filename="../../ui/pos_refund.py" line="113"/>
        <source>Payments accepted at this merchant, newest first. Find one by its order or card, choose the goods coming back (+ and − on a line) or enter an amount, and refund it to the card.</source>
        <translation>本商户收到的付款，最新的在前。按订单号或卡号查找，选择退回的商品（在某行上按 + 或 −）或输入金额，退款到卡。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_refund.py" line="116"/>
        <source>Order or card</source>
        <translation>订单号或卡号</translation>
    </message>
    <message>
        <location filename="../../ui/pos_refund.py" line="117"/>
        <source>+1 back</source>
        <translation>退回 +1</translation>
    </message>
    <message>
        <location filename="../../ui/pos_refund.py" line="118"/>
        <source>−1 back</source>
        <translation>退回 −1</translation>
    </message>
    <message>
        <location filename="../../ui/pos_refund.py" line="119"/>
        <source>All goods back</source>
        <translation>全部商品退回</translation>
    </message>
    <message>
        <location filename="../../ui/pos_refund.py" line="120"/>
        <source>Refund amount (¥)</source>
        <translation>退款金额（元）</translation>
    </message>
    <message>
        <location filename="../../ui/pos_refund.py" line="121"/>
        <source>Refund to card</source>
        <translation>退款到卡</translation>
    </message>
    <message>
        <location filename="../../ui/pos_refund.py" line="122"/>
        <source>Reload</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../ui/pos_refund.py" line="123"/>
        <source>Print refund receipt…</source>
        <translation>打印退款小票…</translation>
    </message>
    <message>
        <location filename="../../ui/pos_refund.py" line="167"/>
        <source>Select a line of the payment first.</source>
        <translation>请先选择付款中的一行商品。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_refund.py" line="204"/>
        <source>Select the payment to refund.</source>
        <translation>请选择要退款的支付。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_refund.py" line="209"/>
        <source>Refund amount: %1</source>
        <translation>退款金额：%1</translation>
    </message>
    <message>
        <location filename="../../ui/pos_refund.py" line="212"/>
        <source>The refund is larger than what is left of the payment (%1 of %2).</source>
        <translation>退款金额超过该笔支付的可退金额（%2 中还剩 %1）。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_refund.py" line="241"/>
        <source>Refunded %1 at height %2 (order %3).</source>
        <translation>已退款 %1，高度 %2（订单 %3）。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_refund.py" line="250"/>
        <source>Refund receipt printed.</source>
        <translation>退款小票已打印。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_refund.py" line="254"/>
        <source>Refund</source>
        <translation>退款</translation>
    </message>
    <message>
        <location filename="../../ui/pos_refund.py" line="255"/>
        <source>Refund order</source>
        <translation>退款订单</translation>
    </message>
    <message>
        <location filename="../../ui/pos_refund.py" line="256"/>
        <source>Sale order</source>
        <translation>原销售订单</translation>
    </message>
    <message>
        <location filename="../../ui/pos_refund.py" line="257"/>
        <source>Card</source>
        <translation>卡号</translation>
    </message>
    <message>
        <location filename="../../ui/pos_refund.py" line="258"/>
        <source>Back to the card</source>
        <translation>退回到卡</translation>
    </message>
    <message>
        <location filename="../../ui/pos_refund.py" line="259"/>
        <source>Block</source>
        <translation>区块</translation>
    </message>
    <message>
        <location filename="../../ui/pos_refund.py" line="260"/>
        <source>Transaction</source>
        <translation>交易</translation>
    </message>
</context>
<context>
    <name>RegulatorWindow</name>
    <message>
        <location filename="../../ui/regulator.py" line="355"/>
        <source>CardChain — Regulator</source>
        <translation>卡链 — 监管</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="356"/>
        <source>%1 · regulator (%2)</source>
        <translation>%1 · 监管（%2）</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="359"/>
        <source>Blocks &amp;&amp; transactions</source>
        <translation>区块与交易</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="360"/>
        <source>Compliance cases</source>
        <translation>合规案件</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="361"/>
        <source>Liabilities &amp;&amp; volumes</source>
        <translation>负债与交易额</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="362"/>
        <source>Full-chain audit</source>
        <translation>全链审计</translation>
    </message>
    <message>
        <location filename="../../ui/regulator.py" line="362"/>
        <source>Node health</source>
        <translation>节点状态</translation>
    </message>
</context>
<context>
    <name>SaleFlow</name>
    <message>
        <location filename="../../ui/pos_pay.py" line="78"/>
        <source>⟳ Order %1 (%2) was under way when the till stopped; looking up its outcome…</source>
        <translation>⟳ 收银机停止时订单 %1（%2）正在处理；正在查询其结果…</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pay.py" line="87"/>
        <source>A payment for this basket is under way: wait for its outcome.</source>
        <translation>此购物篮的付款正在处理中：请等待结果。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pay.py" line="91"/>
        <source>The basket is empty.</source>
        <translation>购物篮是空的。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pay.py" line="94"/>
        <source>Read the customer&apos;s card (card file and PIN) first.</source>
        <translation>请先读取顾客的卡（卡文件和密码）。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pay.py" line="99"/>
        <source>Cash: %1</source>
        <translation>现金：%1</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pay.py" line="117"/>
        <source>Cash of %1 is more than the %2 left after points: take the whole sale in cash without the card, or less cash. Nothing was charged.</source>
        <translation>现金 %1 超过积分抵扣后剩余的 %2：整笔交易请收现金而不刷卡，或少收现金。未扣款。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pay.py" line="123"/>
        <source>This card is %1: it cannot pay. Nothing was charged.</source>
        <translation>此卡状态为%1，不能支付。未扣任何款项。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pay.py" line="128"/>
        <source>The card holds %1 and %2 is due from it: use points, take fewer goods or another card. Nothing was charged.</source>
        <translation>卡内余额 %1，需由卡支付 %2：请使用积分、减少商品或换卡。未扣任何款项。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pay.py" line="151"/>
        <source>① Signed by the terminal and the card · order %1</source>
        <translation>① 已由终端和卡签名 · 订单 %1</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pay.py" line="154"/>
        <source>② Submitted to the network, waiting for the validators to order it…</source>
        <translation>② 已提交到网络，等待验证节点排序…</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pay.py" line="158"/>
        <source>③ Ordered: sequence number %1 in view %2, waiting for 2f+1 commits…</source>
        <translation>③ 已排序：视图 %2 中的序号 %1，等待 2f+1 个提交…</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pay.py" line="163"/>
        <source>② The network is busy; sending again in %1 s…</source>
        <translation>② 网络繁忙；%1 秒后重新发送…</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pay.py" line="170"/>
        <source>The network is unreachable and this consortium takes no card offline: nothing was charged.</source>
        <translation>网络不可达，且本联盟不接受离线刷卡：未扣款。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pay.py" line="174"/>
        <source>The network is unreachable and this card cannot be taken offline: %1 is over the offline limit (%2 a payment, %3 left today for this card). Nothing was charged.</source>
        <translation>网络不可达，此卡无法离线受理：%1 超过离线限额（每笔 %2，此卡今日剩余 %3）。未扣款。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pay.py" line="192"/>
        <source>⟳ No decision heard yet for order %1: the till keeps looking it up and sends the same payment again. Do not charge the customer again.</source>
        <translation>⟳ 订单 %1 尚无结果：收银机会持续查询并重新发送同一笔付款。请勿再次向顾客收款。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pay.py" line="195"/>
        <source>Outcome unknown: this payment is pending (Payments tab). The basket stays locked until it is decided.</source>
        <translation>结果未知：此付款待定（见“付款记录”页）。在有结果之前购物篮保持锁定。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pay.py" line="201"/>
        <source>⇢ Taken offline: order %1 is sent when the network returns</source>
        <translation>⇢ 已离线受理：网络恢复后将发送订单 %1</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pay.py" line="204"/>
        <source>Taken offline: %1. The chain decides it when the network returns (Payments tab).</source>
        <translation>已离线受理：%1。网络恢复后由链上决定（见“付款记录”页）。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pay.py" line="209"/>
        <source>✗ Not sent: nothing was charged</source>
        <translation>✗ 未发送：未扣款</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pay.py" line="214"/>
        <source>✗ Refused at height %1</source>
        <translation>✗ 在高度 %1 被拒绝</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pay.py" line="216"/>
        <source>✗ Refused before it reached the network</source>
        <translation>✗ 在到达网络之前被拒绝</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pay.py" line="226"/>
        <source>④ Committed at height %1, %2 (signed by 2f+1 validators)</source>
        <translation>④ 已在高度 %1 上链，%2（由 2f+1 个验证节点签名）</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pay.py" line="237"/>
        <source>Paid %1.</source>
        <translation>已支付 %1。</translation>
    </message>
    <message>
        <location filename="../../ui/pos_pay.py" line="271"/>
        <source>Order %1 (%2), taken offline, was declined by the network: %3</source>
        <translation>离线受理的订单 %1（%2）被网络拒绝：%3</translation>
    </message>
</context>
<context>
    <name>SalesTab</name>
    <message>
        <location filename="../../ui/sales_tab.py" line="140"/>
        <source>Sell cards in one go (bank %1)</source>
        <translation>一次性售卡（%1 银行）</translation>
    </message>
    <message>
        <location filename="../../ui/sales_tab.py" line="142"/>
        <source>Number of cards</source>
        <translation>张数</translation>
    </message>
    <message>
        <location filename="../../ui/sales_tab.py" line="142"/>
        <source>Value of each card (¥)</source>
        <translation>每张面值（¥）</translation>
    </message>
    <message>
        <location filename="../../ui/sales_tab.py" line="143"/>
        <source>Paid by</source>
        <translation>付款方式</translation>
    </message>
    <message>
        <location filename="../../ui/sales_tab.py" line="143"/>
        <source>Buyer&apos;s name</source>
        <translation>购卡人姓名</translation>
    </message>
    <message>
        <location filename="../../ui/sales_tab.py" line="143"/>
        <source>Buyer&apos;s ID number</source>
        <translation>购卡人证件号码</translation>
    </message>
    <message>
        <location filename="../../ui/sales_tab.py" line="146"/>
        <source>Sell cards</source>
        <translation>售卡</translation>
    </message>
    <message>
        <location filename="../../ui/sales_tab.py" line="150"/>
        <source>Cards worth %1 or more bought in one go: the buyer&apos;s name and ID number are registered (sealed for this bank and the regulator). An organisation paying %2 or more, or a person %3 or more, pays by bank transfer. Sold cards are anonymous (at most %4 each).</source>
        <translation>一次性购卡达 %1 及以上：登记购卡人姓名和证件号码（仅本行与监管方可解密）。单位一次性付款 %2 及以上、个人 %3 及以上须银行转账。所售卡为不记名卡（每张最多 %4）。</translation>
    </message>
    <message>
        <location filename="../../ui/sales_tab.py" line="158"/>
        <source>Cards of the last sale (give each PIN once)</source>
        <translation>本次所售卡片（每个密码只告知一次）</translation>
    </message>
    <message>
        <location filename="../../ui/sales_tab.py" line="165"/>
        <source>Hide PINs</source>
        <translation>隐藏密码</translation>
    </message>
    <message>
        <location filename="../../ui/sales_tab.py" line="165"/>
        <source>Show PINs</source>
        <translation>显示密码</translation>
    </message>
    <message>
        <location filename="../../ui/sales_tab.py" line="178"/>
        <source>Total %1</source>
        <translation>合计 %1</translation>
    </message>
    <message>
        <location filename="../../ui/sales_tab.py" line="186"/>
        <source>Sale: %1</source>
        <translation>售卡：%1</translation>
    </message>
    <message>
        <location filename="../../ui/sales_tab.py" line="190"/>
        <source>Register the buyer with both name and ID number.</source>
        <translation>登记购卡人须同时填写姓名和证件号码。</translation>
    </message>
    <message>
        <location filename="../../ui/sales_tab.py" line="205"/>
        <source>%1 card(s) sold at height %H.</source>
        <translation>已在高度 %H 售出 %1 张卡。</translation>
    </message>
</context>
<context>
    <name>Session</name>
    <message>
        <location filename="../../ui/strings.py" line="107"/>
        <source>the network is unreachable: nothing was sent; retry when the status bar shows the node following a validator</source>
        <translation>网络不可达：未发送任何内容；请在状态栏显示节点正在跟随验证节点后重试</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="109"/>
        <source>the network did not decide the transaction in time; it may still be decided: look it up before retrying</source>
        <translation>网络未能及时处理该交易；它仍可能被处理：请先查询再重试</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="111"/>
        <source>the network did not answer in time; check the node status and retry</source>
        <translation>网络未及时响应；请检查节点状态后重试</translation>
    </message>
    <message>
        <location filename="../../ui/strings.py" line="114"/>
        <source>the network is busy: the validators did not take the transaction, so nothing was ordered; try again in a moment</source>
        <translation>网络繁忙：验证节点未接收该交易，未进行任何排序；请稍后再试</translation>
    </message>
</context>
<context>
    <name>Shell</name>
    <message>
        <location filename="../../ui/shell.py" line="179"/>
        <source>Something went wrong</source>
        <translation>出错了</translation>
    </message>
    <message>
        <location filename="../../ui/shell.py" line="180"/>
        <source>The action could not be completed: %1
Details are in the log.</source>
        <translation>操作未能完成：%1
详情见日志。</translation>
    </message>
</context>
<context>
    <name>ShiftBox</name>
    <message>
        <location filename="../../ui/pos_shift.py" line="63"/>
        <source>Cashier shifts</source>
        <translation>收银员班次</translation>
    </message>
    <message>
        <location filename="../../ui/pos_shift.py" line="64"/>
        <source>Cashier</source>
        <translation>收银员</translation>
    </message>
    <message>
        <location filename="../../ui/pos_shift.py" line="65"/>
        <source>Sign in</source>
        <translation>签到</translation>
    </message>
    <message>
        <location filename="../../ui/pos_shift.py" line="66"/>
        <source>Sign out</source>
        <translation>签退</translation>
    </message>
    <message>
        <location filename="../../ui/pos_shift.py" line="67"/>
        <source>Print end-of-day report…</source>
        <translation>打印日结报表…</translation>
    </message>
    <message>
        <location filename="../../ui/pos_shift.py" line="79"/>
        <source>Signed in: %1</source>
        <translation>当班：%1</translation>
    </message>
    <message>
        <location filename="../../ui/pos_shift.py" line="80"/>
        <source>No cashier signed in</source>
        <translation>无收银员当班</translation>
    </message>
    <message>
        <location filename="../../ui/pos_shift.py" line="87"/>
        <source>Sign in: %1</source>
        <translation>签到：%1</translation>
    </message>
    <message>
        <location filename="../../ui/pos_shift.py" line="97"/>
        <source>Sign out: %1</source>
        <translation>签退：%1</translation>
    </message>
    <message>
        <location filename="../../ui/pos_shift.py" line="126"/>
        <source>End-of-day report printed.</source>
        <translation>日结报表已打印。</translation>
    </message>
</context>
<context>
    <name>Slip</name>
    <message>
        <location filename="../../ui/slips.py" line="24"/>
        <source>Card</source>
        <translation>卡号</translation>
    </message>
    <message>
        <location filename="../../ui/slips.py" line="24"/>
        <source>Holder</source>
        <translation>持卡人</translation>
    </message>
    <message>
        <location filename="../../ui/slips.py" line="25"/>
        <source>Topped up</source>
        <translation>充值金额</translation>
    </message>
    <message>
        <location filename="../../ui/slips.py" line="25"/>
        <source>Paid by</source>
        <translation>付款方式</translation>
    </message>
    <message>
        <location filename="../../ui/slips.py" line="26"/>
        <source>Balance after</source>
        <translation>充值后余额</translation>
    </message>
    <message>
        <location filename="../../ui/slips.py" line="26"/>
        <source>Clerk</source>
        <translation>经办柜员</translation>
    </message>
    <message>
        <location filename="../../ui/slips.py" line="27"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/slips.py" line="27"/>
        <source>Block</source>
        <translation>区块</translation>
    </message>
    <message>
        <location filename="../../ui/slips.py" line="28"/>
        <source>Transaction</source>
        <translation>交易</translation>
    </message>
    <message>
        <location filename="../../ui/slips.py" line="28"/>
        <source>Top-up slip</source>
        <translation>充值凭条</translation>
    </message>
    <message>
        <location filename="../../ui/slips.py" line="29"/>
        <source>Recorded on the consortium ledger; the transaction id finds it there.</source>
        <translation>已记入联盟账本；凭交易编号可在链上查到。</translation>
    </message>
    <message>
        <location filename="../../ui/slips.py" line="31"/>
        <source>Cardholder signature</source>
        <translation>持卡人签字</translation>
    </message>
</context>
<context>
    <name>Tab</name>
    <message>
        <location filename="../../ui/console_tabs.py" line="64"/>
        <source>Proposed at height %H: a second clerk approves it on the Approvals tab before it takes effect.</source>
        <translation>已于高度 %H 提交：须第二名柜员在“复核”页批准后生效。</translation>
    </message>
</context>
<context>
    <name>TxDetail</name>
    <message>
        <location filename="../../ui/tx_detail.py" line="78"/>
        <source>Transaction %1</source>
        <translation>交易 %1</translation>
    </message>
    <message>
        <location filename="../../ui/tx_detail.py" line="79"/>
        <source>Id</source>
        <translation>编号</translation>
    </message>
    <message>
        <location filename="../../ui/tx_detail.py" line="79"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../ui/tx_detail.py" line="79"/>
        <source>Decision</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../ui/tx_detail.py" line="80"/>
        <source>Block</source>
        <translation>区块</translation>
    </message>
    <message>
        <location filename="../../ui/tx_detail.py" line="80"/>
        <source>Parties</source>
        <translation>相关方</translation>
    </message>
    <message>
        <location filename="../../ui/tx_detail.py" line="81"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../ui/tx_detail.py" line="81"/>
        <source>Signed by</source>
        <translation>签名方</translation>
    </message>
    <message>
        <location filename="../../ui/tx_detail.py" line="86"/>
        <source>Body (as signed)</source>
        <translation>交易内容（签名原文）</translation>
    </message>
    <message>
        <location filename="../../ui/tx_detail.py" line="87"/>
        <source>Copy receipt</source>
        <translation>复制回执</translation>
    </message>
    <message>
        <location filename="../../ui/tx_detail.py" line="95"/>
        <source>Loading the receipt…</source>
        <translation>正在读取回执…</translation>
    </message>
    <message>
        <location filename="../../ui/tx_detail.py" line="113"/>
        <source>height %1, position %2, %3</source>
        <translation>高度 %1，位置 %2，%3</translation>
    </message>
    <message>
        <location filename="../../ui/tx_detail.py" line="118"/>
        <source>Receipt verified against the validators&apos; keys in genesis: the transaction is in block %1, its result was signed by validators %2.</source>
        <translation>回执已按创世文件中的验证节点公钥验证通过：交易在区块 %1 中，其结果由验证节点 %2 签名。</translation>
    </message>
    <message>
        <location filename="../../ui/tx_detail.py" line="124"/>
        <source>The receipt does not verify: %1</source>
        <translation>回执验证失败：%1</translation>
    </message>
    <message>
        <location filename="../../ui/tx_detail.py" line="138"/>
        <source>The receipt is on the clipboard (verify-receipt reads it).</source>
        <translation>回执已复制到剪贴板（可用 verify-receipt 验证）。</translation>
    </message>
</context>
<context>
    <name>Window</name>
    <message>
        <location filename="../../ui/shell.py" line="356"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../ui/shell.py" line="357"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../ui/shell.py" line="359"/>
        <source>Colours as the system&apos;s</source>
        <translation>跟随系统配色</translation>
    </message>
    <message>
        <location filename="../../ui/shell.py" line="361"/>
        <source>Light palette</source>
        <translation>浅色</translation>
    </message>
    <message>
        <location filename="../../ui/shell.py" line="362"/>
        <source>Dark palette</source>
        <translation>深色</translation>
    </message>
    <message>
        <location filename="../../ui/shell.py" line="371"/>
        <source>Node: height %1 · following validator-%2</source>
        <translation>节点：高度 %1 · 跟随 validator-%2</translation>
    </message>
    <message>
        <location filename="../../ui/shell.py" line="375"/>
        <source>Node: height %1 · network unreachable, retrying</source>
        <translation>节点：高度 %1 · 网络不可达，正在重试</translation>
    </message>
</context>
</TS>

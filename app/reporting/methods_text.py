"""The `methods` of every report: how each figure is computed, in words, one text per
rule. The keys are a contract (design.md); `METHODS` is English (the report's
`methods`), `METHODS_VI` the same texts in Vietnamese (`methods_vi`, and `methods`
itself for `lang=vi`). Both are stored in the report's body, so a published edition
keeps the words it was published with.
"""

METHODS = {
    "percent": "All figures are percentages from 0 to 100, unrounded.",
    "criterion": "top2box: % of valid answers (1–5) that are 4 or 5; mean20: mean × 20; rescaled: "
    "(mean − 1)/4 × 100. 'Not applicable' and missing answers are excluded.",
    "factor": "criteria_mean: unweighted mean of the factor's criterion indices; overall_item: the "
    "criterion rule applied to the factor's own overall item.",
    "sipas": "factors_mean: unweighted mean of the five factor indices; overall_item: the criterion rule "
    "applied to the overall item.",
    "ci": "95 %. Proportions (top2box criteria, perception, timeliness, expectations): Wilson score. "
    "Mean-score rules (mean20, rescaled): Student t interval on the mean (n − 1 degrees of "
    "freedom), clipped to the scale's range, none below 2 valid answers. Factors and SIPAS: "
    "linearised (delta method): the composite is a mean of criterion means, each over its own "
    "valid answers (a ratio estimator, so skipped criteria are accounted for); its variance is "
    "that of the sum over respondents of each one's deviations from the criterion means, "
    "weighted as in the composite, computed from per-unit sums of the criteria's values and "
    "their cross-products over the respondents who answered both. Interval: value ± "
    "t(n − 1) × standard error, clipped to the index's range; none below 2 respondents; under "
    "top2box, when every answer agrees (variance 0), Wilson at the composite's value on its "
    "smallest criterion n instead of a zero-width interval. docs/method.md §3 has the formulas.",
    "n": "Criterion: valid answers. Rates: respondents who answered the question (late-case follow-up: "
    "late cases). Factor and SIPAS: respondents with a valid answer to at least one of their "
    "criteria. Unit n: responses.",
    "responses": "Every figure of a document is computed from the same responses: those not "
    "excluded, matching the filters if any, recorded at a listed unit or below it. A unit "
    "document's unit, its `n` and its reliability cover every such response under the unit, "
    "including any recorded at the unit itself; each sub-unit's entry covers those under it.",
    "aggregate": "pooled: a unit's figures come from every response under it, so a sub-unit "
    "with most of the responses weighs most. mean_of_units: a unit with sub-units gets the "
    "unweighted mean of its unflagged direct sub-units' figures (as the Ministry averages "
    "provinces), with a 95 % interval from their standard errors as independent samples "
    "(se = √Σseᵢ² / k) and n their answers summed; `averaged_units` says how many. weighted: "
    "the campaign's overall figure (`overall`) is post-stratified by the dossier counts stored "
    "with its scope units (the targets' transactions): each indicator is Σ W_h ȳ_h over the "
    "scope units with answers to it, W_h = N_h / Σ N_h their share of the dossiers, with a 95 % "
    "interval value ± 1.96 √(Σ W_h² v_h), v_h the variance of the unit's estimate (a rate: "
    "p(1 − p)/(n − 1); a mean score: s²/n; a factor or the SIPAS: its linearised variance), "
    "clipped to the index's range; each figure's `deff` is that variance over the pooled "
    "estimate's and `n_effective` = n / deff. Every scope unit needs a dossier count (otherwise "
    "the report is refused, naming them); a unit without answers or with 0 dossiers is left out "
    "and the weights of the others renormalised (`weighting.left_out`). Listed units keep pooled "
    "figures under weighted: their sub-units have no dossier counts of their own. The campaign "
    "sets the default; `aggregate=` chooses per request.",
    "median": "Median of each indicator over the unflagged units of a league (`leagues`) whose "
    "figure for that indicator rests on at least min(min_sample, MEDIAN_MIN_N = 10 by default) "
    "answers; `median_n` says how many units each median is taken over. The top-level median, "
    "top and bottom are those of the league named by `league`.",
    "rank": "Competition ranking on SIPAS (1 = best, ties share a rank) within a league: units "
    "of one kind are ranked among their own kind (`mixed=true`: all listed units together). "
    "SIPAS is compared rounded half-up to RANK_PRECISION decimals (default 2, as published), "
    "after float noise below 1e-9 is removed, so equal published figures share a rank. Top and "
    "bottom lists include every unit tied at the cut-off; ties are listed by unit code in both. "
    "Flagged units are not ranked.",
    "rank_interval": "95 % rank interval [best, worst] of each ranked unit within its league, by "
    "a parametric bootstrap: RANK_REPLICATES (default 1,000) times, every ranked unit's SIPAS is "
    "drawn from a normal distribution centred on its estimate with its standard error (that of "
    "its linearised interval; mean_of_units: of its averaged interval), the units are ranked "
    "again, and the interval runs from the 2.5 % to the 97.5 % quantile of the unit's ranks, "
    "widened if needed to hold its published rank. The generator is seeded from the campaign "
    "code and the league, so the same responses always give the same intervals; a published "
    "edition keeps them. A wide interval means the data cannot place the unit more precisely.",
    "vs_median": "above: the unit's 95 % SIPAS interval lies wholly above its league's median "
    "SIPAS; below: wholly below; indistinguishable: it contains the median. Null for units that "
    "are not ranked, and for a unit ranked alone in its league (it is its own median).",
    "flags": "small_sample: the item with the fewest valid answers among those the unit's SIPAS "
    "is made from has fewer than the campaign's min_sample (flag_detail names it); incomplete: "
    "a criterion, factor or the SIPAS has no valid answers to be computed from (flag_detail "
    "lists them). Flagged units are listed but not ranked and not in medians.",
    "sort": "units are listed by code (default), by rank (ties by code, unranked units last) or "
    "by name (Vietnamese letters with their base letter), as `sort` asks.",
    "reliability": "Cronbach's alpha per factor over the responses of the listed units (a unit "
    "document: the unit's), using the complete cases among them (respondents who rated every "
    "criterion of the factor; its `n` counts them), with Feldt's 95 % interval.",
}

METHODS_VI = {
    "percent": "Mọi chỉ số là tỷ lệ phần trăm từ 0 đến 100, không làm tròn.",
    "criterion": "top2box: tỷ lệ % câu trả lời hợp lệ (1–5) là 4 hoặc 5; mean20: điểm trung bình "
    '× 20; rescaled: (điểm trung bình − 1)/4 × 100. Câu trả lời "không áp dụng" và câu bỏ '
    "trống không được tính.",
    "factor": "criteria_mean: trung bình cộng (không trọng số) các chỉ số tiêu chí của yếu tố; "
    "overall_item: áp dụng cách tính tiêu chí cho câu hỏi đánh giá chung của chính yếu tố đó.",
    "sipas": "factors_mean: trung bình cộng (không trọng số) năm chỉ số yếu tố; overall_item: áp "
    "dụng cách tính tiêu chí cho câu hỏi đánh giá chung.",
    "ci": "Khoảng tin cậy 95 %. Tỷ lệ (tiêu chí theo top2box, nhận thức, thời hạn, mong đợi): "
    "khoảng Wilson. Cách tính theo điểm trung bình (mean20, rescaled): khoảng Student t quanh "
    "điểm trung bình (n − 1 bậc tự do), giới hạn trong thang điểm, không có khi dưới 2 câu trả "
    "lời hợp lệ. Yếu tố và SIPAS: tuyến tính hóa (phương pháp delta): chỉ số tổng hợp là trung "
    "bình của các trung bình tiêu chí, mỗi tiêu chí tính trên số câu trả lời hợp lệ của nó (ước "
    "lượng tỷ số, nên các tiêu chí bị bỏ qua đã được tính đến); phương sai là phương sai của "
    "tổng theo người trả lời các độ lệch của từng người so với trung bình tiêu chí, có trọng số "
    "như trong chỉ số tổng hợp, tính từ các tổng theo đơn vị của giá trị tiêu chí và tích chéo "
    "của chúng trên những người trả lời cả hai tiêu chí. Khoảng: giá trị ± t(n − 1) × sai số "
    "chuẩn, giới hạn trong miền của chỉ số; không có khi dưới 2 người trả lời; theo top2box, "
    "khi mọi câu trả lời giống nhau (phương sai bằng 0), dùng khoảng Wilson tại giá trị của chỉ "
    "số tổng hợp với n nhỏ nhất của các tiêu chí thay cho khoảng có độ rộng bằng 0. Công thức ở "
    "docs/method.md §3.",
    "n": "Tiêu chí: số câu trả lời hợp lệ. Tỷ lệ: số người đã trả lời câu hỏi (theo dõi hồ sơ "
    "trễ hạn: số hồ sơ trễ hạn). Yếu tố và SIPAS: số người có ít nhất một câu trả lời hợp lệ cho "
    "một tiêu chí của nó. n của đơn vị: số phiếu.",
    "responses": "Mọi số liệu của một tài liệu được tính từ cùng một tập phiếu: các phiếu không "
    "bị loại, khớp bộ lọc nếu có, được ghi nhận tại một đơn vị trong danh sách hoặc cấp dưới "
    "của nó. Số liệu, `n` và độ tin cậy của tài liệu một đơn vị bao gồm mọi phiếu như vậy thuộc "
    "đơn vị, kể cả phiếu ghi nhận tại chính đơn vị; mục của mỗi đơn vị cấp dưới bao gồm các "
    "phiếu thuộc đơn vị cấp dưới đó.",
    "aggregate": "pooled: số liệu của một đơn vị được tính từ mọi phiếu thuộc đơn vị, nên đơn vị "
    "cấp dưới có nhiều phiếu nhất có ảnh hưởng lớn nhất. mean_of_units: đơn vị có cấp dưới nhận "
    "trung bình cộng (không trọng số) số liệu của các đơn vị cấp dưới trực tiếp không bị gắn "
    "cờ (như Bộ tính trung bình các tỉnh), với khoảng tin cậy 95 % từ sai số chuẩn của chúng "
    "coi như các mẫu độc lập (se = √Σseᵢ² / k) và n là tổng số câu trả lời; `averaged_units` "
    "cho biết số đơn vị được lấy trung bình. weighted: số liệu chung của đợt (`overall`) được "
    "hậu phân tầng theo số hồ sơ lưu cho các đơn vị trong phạm vi (số hồ sơ dùng để tính chỉ "
    "tiêu): mỗi chỉ số là Σ W_h ȳ_h trên các đơn vị có câu trả lời cho chỉ số đó, W_h = N_h / "
    "Σ N_h là tỷ lệ hồ sơ của đơn vị, khoảng tin cậy 95 % là giá trị ± 1,96 √(Σ W_h² v_h), "
    "v_h là phương sai ước lượng của đơn vị (tỷ lệ: p(1 − p)/(n − 1); điểm trung bình: s²/n; "
    "yếu tố hoặc SIPAS: phương sai tuyến tính hóa), giới hạn trong miền của chỉ số; `deff` của "
    "mỗi số liệu là phương sai này chia cho phương sai của ước lượng gộp, `n_effective` = n / "
    "deff. Mọi đơn vị trong phạm vi phải có số hồ sơ (nếu không, báo cáo bị từ chối và nêu tên "
    "các đơn vị thiếu); đơn vị không có câu trả lời hoặc có 0 hồ sơ bị bỏ ra và trọng số của "
    "các đơn vị còn lại được chuẩn hóa lại (`weighting.left_out`). Theo weighted, các đơn vị "
    "trong danh sách vẫn giữ số liệu gộp: đơn vị cấp dưới của chúng không có số hồ sơ riêng. "
    "Đợt khảo sát đặt cách tính mặc định; tham số `aggregate=` chọn cho từng yêu cầu.",
    "median": "Trung vị của mỗi chỉ số trên các đơn vị không bị gắn cờ của một bảng xếp hạng "
    "(`leagues`) có số liệu của chỉ số đó dựa trên ít nhất min(min_sample, MEDIAN_MIN_N, mặc "
    "định 10) câu trả lời; `median_n` cho biết mỗi trung vị lấy trên bao nhiêu đơn vị. Trung "
    "vị, nhóm đầu và nhóm cuối ở cấp trên cùng là của bảng xếp hạng ghi ở `league`.",
    "rank": "Xếp hạng theo SIPAS (1 = cao nhất, bằng điểm thì cùng hạng, hạng kế tiếp bỏ trống "
    "tương ứng) trong một bảng xếp hạng: đơn vị cùng loại được xếp hạng với nhau (`mixed=true`: "
    "mọi đơn vị trong danh sách xếp chung). SIPAS được so sánh sau khi làm tròn nửa lên đến "
    "RANK_PRECISION chữ số thập phân (mặc định 2, như khi công bố), sau khi bỏ sai số dấu phẩy "
    "động dưới 1e-9, nên các số liệu công bố bằng nhau thì cùng hạng. Nhóm đầu và nhóm cuối gồm "
    "mọi đơn vị bằng điểm tại ngưỡng cắt; các đơn vị bằng điểm được liệt kê theo mã đơn vị ở cả "
    "hai nhóm. Đơn vị bị gắn cờ không được xếp hạng.",
    "rank_interval": "Khoảng hạng 95 % [tốt nhất, kém nhất] của mỗi đơn vị được xếp hạng trong "
    "bảng xếp hạng của nó, theo bootstrap tham số: RANK_REPLICATES lần (mặc định 1.000), SIPAS "
    "của mọi đơn vị được xếp hạng được rút từ phân phối chuẩn có tâm là ước lượng và độ lệch là "
    "sai số chuẩn của nó (của khoảng tuyến tính hóa; mean_of_units: của khoảng trung bình), các "
    "đơn vị được xếp hạng lại, và khoảng đi từ phân vị 2,5 % đến 97,5 % của các hạng của đơn "
    "vị, được nới ra nếu cần để chứa hạng công bố. Bộ sinh số ngẫu nhiên được khởi tạo từ mã "
    "đợt khảo sát và bảng xếp hạng, nên cùng một tập phiếu luôn cho cùng khoảng; bản công bố "
    "giữ nguyên các khoảng này. Khoảng rộng nghĩa là dữ liệu chưa đủ để xác định vị trí của "
    "đơn vị chính xác hơn.",
    "vs_median": "above: khoảng tin cậy 95 % của SIPAS của đơn vị nằm hoàn toàn trên trung vị "
    "SIPAS của bảng xếp hạng; below: nằm hoàn toàn dưới; indistinguishable: khoảng chứa trung "
    "vị. Để trống cho đơn vị không được xếp hạng, và cho đơn vị xếp hạng một mình trong bảng "
    "(chính nó là trung vị).",
    "flags": "small_sample: trong các câu hỏi tạo nên SIPAS của đơn vị, câu có ít câu trả lời hợp "
    "lệ nhất có ít hơn min_sample của đợt (flag_detail nêu câu đó); incomplete: một tiêu chí, "
    "yếu tố hoặc SIPAS không có câu trả lời hợp lệ nào để tính (flag_detail liệt kê). Đơn vị "
    "bị gắn cờ vẫn được liệt kê nhưng không được xếp hạng và không vào trung vị.",
    "sort": "Các đơn vị được liệt kê theo mã (mặc định), theo hạng (cùng hạng thì theo mã, đơn "
    "vị không xếp hạng ở cuối) hoặc theo tên (chữ tiếng Việt xếp cùng chữ gốc), theo tham số "
    "`sort`.",
    "reliability": "Hệ số Cronbach's alpha của mỗi yếu tố trên các phiếu của các đơn vị trong "
    "danh sách (tài liệu một đơn vị: của đơn vị đó), dùng những người trả lời đủ (đã đánh giá "
    "mọi tiêu chí của yếu tố; `n` đếm số người này), với khoảng tin cậy 95 % của Feldt.",
}

# For a questionnaire with a declared index tree (sipas-2023), the texts that describe
# the composites say how the tree combines (its `tree` lists each node's aggregation);
# the keys stay those of the factor rules, so a reader finds them in the same place.
METHODS_TREE = {
    "factor": "Every inner node of `tree` is in `factors`: a group of criteria (a node whose "
    "children are items) is the unweighted mean of its items' indices; an aspect (a node "
    "under the overall index whose children are groups) is item_weighted: the mean of its "
    "groups weighted by their numbers of items (`tree.nodes[].items`), which is the mean of "
    "its items when all are answered; mean: the unweighted mean of its children. `combine=` "
    "chooses among a node's `choices` per request (`combine` says which applied).",
    "sipas": "The root of `tree`: item_weighted by default, the mean of its aspects weighted "
    "by their numbers of items (the published SIPAS); combine=mean: their unweighted mean. "
    'Answers of 0 ("don\'t know") are not valid answers and are left out of every index.',
    "n": "Criterion: valid answers. Rates: respondents who answered the question. A group, an "
    "aspect and SIPAS: respondents with a valid answer to at least one of their items. Unit "
    "n: responses.",
    "reliability": "Cronbach's alpha per group of criteria (a node whose children are items) "
    "over the responses of the listed units, using the complete cases (respondents who rated "
    "every item of the group; its `n` counts them), with Feldt's 95 % interval.",
}

METHODS_TREE_VI = {
    "factor": "Mọi nút bên trong của `tree` đều có trong `factors`: nhóm tiêu chí (nút có các "
    "con là tiêu chí) là trung bình cộng (không trọng số) chỉ số các tiêu chí của nhóm; lĩnh "
    "vực (nút ngay dưới chỉ số chung, có các con là nhóm) theo item_weighted: trung bình các "
    "nhóm có trọng số theo số tiêu chí (`tree.nodes[].items`), tức trung bình các tiêu chí "
    "khi mọi tiêu chí có câu trả lời; mean: trung bình cộng không trọng số các nút con. Tham "
    "số `combine=` chọn một cách trong `choices` của nút cho từng yêu cầu (`combine` cho biết "
    "cách đã dùng).",
    "sipas": "Gốc của `tree`: mặc định item_weighted, trung bình các lĩnh vực có trọng số theo "
    "số tiêu chí (SIPAS như Bộ công bố); combine=mean: trung bình cộng không trọng số. Câu "
    'trả lời 0 ("không biết") không phải câu trả lời hợp lệ và không được tính vào chỉ số nào.',
    "n": "Tiêu chí: số câu trả lời hợp lệ. Tỷ lệ: số người đã trả lời câu hỏi. Nhóm tiêu chí, "
    "lĩnh vực và SIPAS: số người có ít nhất một câu trả lời hợp lệ cho một tiêu chí của nó. "
    "n của đơn vị: số phiếu.",
    "reliability": "Hệ số Cronbach's alpha của mỗi nhóm tiêu chí (nút có các con là tiêu chí) "
    "trên các phiếu của các đơn vị trong danh sách, dùng những người trả lời đủ (đã đánh giá "
    "mọi tiêu chí của nhóm; `n` đếm số người này), với khoảng tin cậy 95 % của Feldt.",
}

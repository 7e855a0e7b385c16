"""Words of a comparison across questionnaire versions (app/reporting/comparison.py),
in Vietnamese and English; a report body carries both."""

STATEMENT: dict[str, str] = {
    "vi": "So sánh với đợt {campaign!r} ({previous}) theo bảng đối chiếu giữa hai bộ câu "
    "hỏi: {n} chỉ số của {questionnaire} có chỉ số tương ứng ({exact} trùng nội dung, còn "
    "lại gần tương đương) và có thay đổi; các chỉ số khác không so sánh được, lý do ghi "
    "bên dưới.",
    "en": "Compared with campaign {campaign!r} ({previous}) through the mapping between the "
    "two questionnaires: {n} indicators of {questionnaire} have a counterpart ({exact} "
    "exact, the others approximate) and carry a change; the others are not comparable, "
    "for the reasons given.",
}

OTHER_BLOCKS: dict[str, str] = {
    "vi": "Các tỷ lệ nhận định, mong đợi và thông tin người trả lời không so sánh giữa hai "
    "phương pháp: câu hỏi và lựa chọn trả lời khác nhau.",
    "en": "Perception, expectation and respondent rates are not compared across the two "
    "methods: their questions and answer options differ.",
}

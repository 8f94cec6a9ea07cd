"""A starter curriculum for Cambodia's social service workforce: one competency framework, four published
courses, each with an ethics module and its question bank. Written by the project team for demos and trials;
NISA's curriculum staff replace it with their own."""

from decimal import Decimal
from typing import NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from courses.models import (
    Competency,
    CompetencyDomain,
    CompetencyFramework,
    Course,
    CourseCompetency,
    CourseModule,
    CourseStatus,
    EthicsQuiz,
    ModuleKind,
    QuestionKind,
    QuizOption,
    QuizQuestion,
)
from foundation.clock import utcnow
from foundation.columns import row_id


class Text(NamedTuple):
    km: str
    en: str


class CompetencySpec(NamedTuple):
    code: str
    title: Text
    criteria: list[Text]


class DomainSpec(NamedTuple):
    code: str
    title: Text
    competencies: list[CompetencySpec]


class QuestionSpec(NamedTuple):
    text: Text
    options: list[tuple[Text, bool]]  # (option, right answer?)
    explanation: Text


class CourseSpec(NamedTuple):
    code: str
    title: Text
    description: Text
    category: str
    validity_months: int | None
    modules: list[tuple[Text, int]]  # regular modules and their hours
    ethics_module: tuple[Text, int]
    competencies: list[str]  # codes of the target competencies


FRAMEWORK_CODE = "SSW-CF"
FRAMEWORK = Text("ក្របខណ្ឌសមត្ថភាពកម្លាំងពលកម្មសេវាសង្គម", "Social Service Workforce Competency Framework")
FRAMEWORK_DESCRIPTION = Text(
    "ចំណេះដឹង ជំនាញ និងតម្លៃដែលរំពឹងទុកពីកម្លាំងពលកម្មសេវាសង្គមនៅកម្ពុជា៖ បុគ្គលិកសង្គមកិច្ចរបស់រដ្ឋ "
    "ជំនួយការការងារសង្គមកិច្ច បុគ្គលបង្គោលឃុំ សង្កាត់ និងបុគ្គលិកអង្គការមិនមែនរដ្ឋាភិបាល។",
    "The knowledge, skills and values expected of Cambodia's social service workforce: government social "
    "workers, social-work assistants, commune focal points and NGO staff.",
)

DOMAINS = [
    DomainSpec(
        "ETH",
        Text("តម្លៃវិជ្ជាជីវៈ និងសីលធម៌", "Professional values and ethics"),
        [
            CompetencySpec(
                "ETH.1",
                Text("អនុវត្តក្រមសីលធម៌ក្នុងការងារប្រចាំថ្ងៃ", "Applies the code of ethics in daily practice"),
                [
                    Text(
                        "ពន្យល់អំពីគោលការណ៍សំខាន់ៗនៃក្រមសីលធម៌របស់បុគ្គលិកសង្គមកិច្ច។",
                        "Explains the main principles of the social worker's code of ethics.",
                    ),
                    Text(
                        "កំណត់បញ្ហាប្រឈមផ្នែកសីលធម៌ និងស្វែងរកការណែនាំពីអ្នកគ្រប់គ្រងដើម្បីដោះស្រាយ។",
                        "Recognises ethical dilemmas and seeks supervision to resolve them.",
                    ),
                    Text(
                        "ប្រកាសប្រាប់ពីទំនាស់ផលប្រយោជន៍ ហើយដកខ្លួនចេញពីករណីដែលពាក់ព័ន្ធ។",
                        "Declares conflicts of interest and steps aside from the cases concerned.",
                    ),
                ],
            ),
            CompetencySpec(
                "ETH.2",
                Text("ការពារការសម្ងាត់ និងព័ត៌មានផ្ទាល់ខ្លួន", "Protects confidentiality and personal data"),
                [
                    Text(
                        "រក្សាទុកឯកសារករណីនៅកន្លែងមានសោ ឬក្នុងប្រព័ន្ធដែលមានការការពារ។",
                        "Keeps case files in a locked place or a protected system.",
                    ),
                    Text(
                        "ចែករំលែកព័ត៌មានតែនៅពេលមានការយល់ព្រម ឬនៅពេលច្បាប់តម្រូវប៉ុណ្ណោះ។",
                        "Shares information only with consent or when the law requires it.",
                    ),
                    Text(
                        "ពន្យល់ដល់អតិថិជនអំពីដែនកំណត់នៃការរក្សាការសម្ងាត់។",
                        "Explains to clients the limits of confidentiality.",
                    ),
                ],
            ),
            CompetencySpec(
                "ETH.3",
                Text("រក្សាព្រំដែនវិជ្ជាជីវៈ", "Maintains professional boundaries"),
                [
                    Text(
                        "ជៀសវាងទំនាក់ទំនងទ្វេ (ផ្ទាល់ខ្លួន អាជីវកម្ម ឬហិរញ្ញវត្ថុ) ជាមួយអតិថិជន។",
                        "Avoids dual relationships (personal, business or financial) with clients.",
                    ),
                    Text(
                        "បដិសេធអំណោយ ឬការតបស្នងដែលអាចមានឥទ្ធិពលលើសេវា។",
                        "Declines gifts and favours that could influence the service.",
                    ),
                ],
            ),
            CompetencySpec(
                "ETH.4",
                Text(
                    "គោរពសេចក្តីថ្លៃថ្នូរ ភាពចម្រុះ និងសិទ្ធិសម្រេចចិត្តដោយខ្លួនឯង",
                    "Respects dignity, diversity and self-determination",
                ),
                [
                    Text(
                        "ផ្តល់សេវាដល់អតិថិជនគ្រប់រូបដោយគ្មានការរើសអើងលើភេទ អាយុ ពិការភាព ជាតិពន្ធុ សាសនា ឬឋានៈ។",
                        "Serves every client without discrimination by sex, age, disability, ethnicity, "
                        "religion or status.",
                    ),
                    Text(
                        "គាំទ្រអតិថិជនឱ្យធ្វើការសម្រេចចិត្តដោយខ្លួនឯង ដោយមានព័ត៌មានគ្រប់គ្រាន់។",
                        "Supports clients to make their own informed decisions.",
                    ),
                    Text(
                        "ទទួលបានការយល់ព្រមដោយមានការជូនដំណឹង មុនពេលផ្តល់សេវា និងធ្វើការវាយតម្លៃ។",
                        "Obtains informed consent before services and assessments.",
                    ),
                ],
            ),
        ],
    ),
    DomainSpec(
        "CM",
        Text("ការគ្រប់គ្រងករណី", "Case management"),
        [
            CompetencySpec(
                "CM.1",
                Text("ធ្វើការទទួលករណី និងការពិនិត្យបឋម", "Conducts intake and screening"),
                [
                    Text(
                        "កត់ត្រាការបញ្ជូន និងព័ត៌មានមូលដ្ឋានរបស់អតិថិជនក្នុងទម្រង់ទទួលករណី។",
                        "Records the referral and the client's basic information on the intake form.",
                    ),
                    Text(
                        "កំណត់ហានិភ័យបន្ទាន់ និងចាត់វិធានការក្នុងរយៈពេល ២៤ ម៉ោង។",
                        "Identifies urgent risks and acts on them within 24 hours.",
                    ),
                ],
            ),
            CompetencySpec(
                "CM.2",
                Text("វាយតម្លៃតម្រូវការ និងចំណុចខ្លាំង", "Assesses needs and strengths"),
                [
                    Text(
                        "ប្រើទម្រង់វាយតម្លៃស្តង់ដារជាមួយអតិថិជន និងគ្រួសារ។",
                        "Uses the standard assessment form with the client and the family.",
                    ),
                    Text(
                        "កំណត់ចំណុចខ្លាំង និងធនធានរបស់គ្រួសារ និងសហគមន៍។",
                        "Identifies the strengths and resources of the family and the community.",
                    ),
                    Text(
                        "ស្តាប់មតិរបស់សមាជិកគ្រួសារម្នាក់ៗ រួមទាំងកុមារផង។",
                        "Listens to the views of each family member, children included.",
                    ),
                ],
            ),
            CompetencySpec(
                "CM.3",
                Text("រៀបចំ និងអនុវត្តផែនការករណី", "Develops and carries out a case plan"),
                [
                    Text(
                        "សរសេរផែនការករណីដែលមានគោលដៅ សកម្មភាព អ្នកទទួលខុសត្រូវ និងកាលបរិច្ឆេទ ដោយមានការឯកភាពពីអតិថិជន។",
                        "Writes a case plan with goals, actions, responsible persons and dates, agreed with "
                        "the client.",
                    ),
                    Text(
                        "សម្របសម្រួលសេវាដែលមានចែងក្នុងផែនការ។",
                        "Coordinates the services named in the plan.",
                    ),
                ],
            ),
            CompetencySpec(
                "CM.4",
                Text("តាមដានវឌ្ឍនភាព និងបិទករណី", "Reviews progress and closes cases"),
                [
                    Text(
                        "ពិនិត្យផែនការករណីឡើងវិញយ៉ាងហោចណាស់រៀងរាល់បីខែម្តង។",
                        "Reviews the case plan at least every three months.",
                    ),
                    Text(
                        "បិទករណីនៅពេលសម្រេចបានគោលដៅ ដោយមានរបាយការណ៍បិទករណី។",
                        "Closes the case when its goals are met, with a closing report.",
                    ),
                ],
            ),
        ],
    ),
    DomainSpec(
        "CP",
        Text("ការការពារកុមារ", "Child protection"),
        [
            CompetencySpec(
                "CP.1",
                Text(
                    "ស្គាល់សញ្ញានៃការរំលោភបំពាន ការធ្វេសប្រហែស និងការកេងប្រវ័ញ្ចលើកុមារ",
                    "Recognises signs of abuse, neglect and exploitation of children",
                ),
                [
                    Text(
                        "ពិពណ៌នាអំពីសញ្ញាផ្លូវកាយ និងអាកប្បកិរិយានៃការរំលោភបំពាន និងការធ្វេសប្រហែស។",
                        "Describes the physical and behavioural signs of abuse and neglect.",
                    ),
                    Text(
                        "ស្តាប់ការបង្ហាញប្រាប់របស់កុមារដោយស្ងប់ស្ងាត់ ដោយមិនសួរសំណួរនាំមុខ។",
                        "Listens calmly to a child's disclosure, without leading questions.",
                    ),
                ],
            ),
            CompetencySpec(
                "CP.2",
                Text(
                    "រាយការណ៍ និងឆ្លើយតបចំពោះកង្វល់ការការពារកុមារ",
                    "Reports and responds to child protection concerns",
                ),
                [
                    Text(
                        "រាយការណ៍ករណីសង្ស័យទៅអាជ្ញាធរទទួលខុសត្រូវដោយគ្មានការពន្យារពេល។",
                        "Reports a suspected case to the responsible authority without delay.",
                    ),
                    Text(
                        "អនុវត្តតាមផ្លូវបញ្ជូនករណីការពារកុមារ។",
                        "Follows the child protection referral pathway.",
                    ),
                    Text(
                        "ធ្វើផែនការសុវត្ថិភាពភ្លាមៗ នៅពេលកុមារប្រឈមនឹងគ្រោះថ្នាក់។",
                        "Makes an immediate safety plan when a child is at risk.",
                    ),
                ],
            ),
            CompetencySpec(
                "CP.3",
                Text("អនុវត្តគោលការណ៍ផលប្រយោជន៍ឧត្តមរបស់កុមារ", "Applies the best interests of the child"),
                [
                    Text(
                        "ស្តាប់មតិរបស់កុមារ និងយកមកពិចារណាទៅតាមអាយុ និងភាពពេញវ័យ។",
                        "Listens to the child's views and weighs them according to age and maturity.",
                    ),
                    Text(
                        "ផ្តល់អាទិភាពដល់ការថែទាំផ្អែកលើគ្រួសារ ជាជាងការថែទាំនៅមណ្ឌល។",
                        "Gives priority to family-based care over residential care.",
                    ),
                ],
            ),
            CompetencySpec(
                "CP.4",
                Text(
                    "គាំទ្រសមាហរណកម្មកុមារទៅក្នុងគ្រួសារ និងការថែទាំជំនួស",
                    "Supports family reintegration and alternative care",
                ),
                [
                    Text(
                        "វាយតម្លៃគ្រួសារមុនពេលកុមារត្រឡប់ទៅផ្ទះវិញ។",
                        "Assesses the family before a child returns home.",
                    ),
                    Text(
                        "តាមដានកុមារជាប្រចាំបន្ទាប់ពីសមាហរណកម្ម។",
                        "Follows up the child regularly after reintegration.",
                    ),
                ],
            ),
        ],
    ),
    DomainSpec(
        "DI",
        Text("បរិយាបន្នពិការភាព", "Disability inclusion"),
        [
            CompetencySpec(
                "DI.1",
                Text(
                    "អនុវត្តវិធីសាស្ត្រផ្អែកលើសិទ្ធិចំពោះពិការភាព",
                    "Applies a rights-based approach to disability",
                ),
                [
                    Text(
                        "ពន្យល់អំពីសិទ្ធិរបស់ជនមានពិការភាពតាមច្បាប់កម្ពុជា និងអនុសញ្ញាស្តីពីសិទ្ធិជនមានពិការភាព។",
                        "Explains the rights of persons with disabilities under Cambodian law and the CRPD.",
                    ),
                    Text(
                        "ប្រើភាសាដែលគោរព និងផ្តោតលើមនុស្សជាមុន។",
                        "Uses respectful, person-first language.",
                    ),
                ],
            ),
            CompetencySpec(
                "DI.2",
                Text("កំណត់ពិការភាព និងតម្រូវការជំនួយ", "Identifies disability and support needs"),
                [
                    Text(
                        "ប្រើសំណួររបស់ក្រុមវ៉ាស៊ីនតោន ដើម្បីកំណត់ការលំបាកក្នុងការប្រកបសកម្មភាព។",
                        "Uses the Washington Group questions to identify functional difficulties.",
                    ),
                    Text(
                        "ជួយជនមានពិការភាពឱ្យទទួលបានប័ណ្ណសម្គាល់ជនមានពិការភាព។",
                        "Helps persons with disabilities obtain the disability identification card.",
                    ),
                ],
            ),
            CompetencySpec(
                "DI.3",
                Text("ប្រាស្រ័យទាក់ទងតាមរបៀបដែលងាយយល់ និងងាយចូលប្រើ", "Communicates accessibly"),
                [
                    Text(
                        "សម្របការប្រាស្រ័យទាក់ទងសម្រាប់អ្នកមានពិការភាពផ្នែកការស្តាប់ ការមើលឃើញ ឬបញ្ញា។",
                        "Adapts communication for people with hearing, visual or intellectual disabilities.",
                    ),
                    Text(
                        "និយាយដោយផ្ទាល់ទៅកាន់បុគ្គលនោះ មិនមែនតែទៅកាន់អ្នកថែទាំប៉ុណ្ណោះទេ។",
                        "Speaks directly to the person, not only to the caregiver.",
                    ),
                ],
            ),
            CompetencySpec(
                "DI.4",
                Text("ភ្ជាប់ជនមានពិការភាពទៅនឹងសេវា", "Links persons with disabilities to services"),
                [
                    Text(
                        "បញ្ជូនទៅកាន់សេវាស្តារនីតិសម្បទា ការអប់រំ ការចិញ្ចឹមជីវិត និងកិច្ចគាំពារសង្គម។",
                        "Refers to rehabilitation, education, livelihood and social protection services.",
                    ),
                    Text(
                        "ពិនិត្យមើលថា អតិថិជនអាចចូលទៅដល់ និងប្រើប្រាស់សេវានោះបាន។",
                        "Checks that the client can physically reach and use the service.",
                    ),
                ],
            ),
        ],
    ),
    DomainSpec(
        "CR",
        Text("ការចូលរួមរបស់សហគមន៍ និងការបញ្ជូន", "Community engagement and referral"),
        [
            CompetencySpec(
                "CR.1",
                Text("ធ្វើផែនទីសេវា និងកសាងបណ្តាញបញ្ជូន", "Maps services and builds a referral network"),
                [
                    Text(
                        "រក្សាបញ្ជីសេវាក្នុងស្រុក ដែលមានព័ត៌មានទំនាក់ទំនងទាន់សម័យ។",
                        "Keeps an up-to-date list of the district's services with their contacts.",
                    ),
                    Text(
                        "ចូលរួមកិច្ចប្រជុំសម្របសម្រួលថ្នាក់ឃុំ សង្កាត់ និងថ្នាក់ស្រុក។",
                        "Takes part in commune and district coordination meetings.",
                    ),
                ],
            ),
            CompetencySpec(
                "CR.2",
                Text("បញ្ជូនអតិថិជន និងតាមដាន", "Refers clients and follows up"),
                [
                    Text(
                        "បំពេញទម្រង់បញ្ជូនដោយមានការយល់ព្រមពីអតិថិជន។",
                        "Completes a referral form with the client's consent.",
                    ),
                    Text(
                        "បញ្ជាក់ថា អតិថិជនពិតជាបានទទួលសេវា។",
                        "Confirms that the client actually received the service.",
                    ),
                ],
            ),
            CompetencySpec(
                "CR.3",
                Text(
                    "សហការជាមួយគណៈកម្មាធិការទទួលបន្ទុកកិច្ចការនារី និងកុមារឃុំ សង្កាត់",
                    "Works with the Commune Committee for Women and Children",
                ),
                [
                    Text(
                        "បង្ហាញករណី និងតម្រូវការទៅគណៈកម្មាធិការទទួលបន្ទុកកិច្ចការនារី និងកុមារ។",
                        "Presents cases and needs to the Commune Committee for Women and Children.",
                    ),
                    Text(
                        "គាំទ្រគណៈកម្មាធិការឱ្យបញ្ចូលសេវាសង្គមក្នុងផែនការវិនិយោគឃុំ សង្កាត់។",
                        "Helps the committee include social services in the commune investment plan.",
                    ),
                ],
            ),
            CompetencySpec(
                "CR.4",
                Text("លើកកម្ពស់ការយល់ដឹងរបស់សហគមន៍", "Raises community awareness"),
                [
                    Text(
                        "ដឹកនាំវគ្គផ្សព្វផ្សាយអំពីការការពារកុមារ និងការបង្ការអំពើហិង្សា។",
                        "Leads awareness sessions on child protection and violence prevention.",
                    ),
                    Text(
                        "ចូលរួមសហការជាមួយមេដឹកនាំសហគមន៍ និងមេដឹកនាំសាសនា។",
                        "Involves community and religious leaders.",
                    ),
                ],
            ),
        ],
    ),
    DomainSpec(
        "CO",
        Text("ការប្រាស្រ័យទាក់ទង និងការកត់ត្រាឯកសារ", "Communication and records"),
        [
            CompetencySpec(
                "CO.1",
                Text("ប្រើជំនាញស្តាប់សកម្ម និងការសម្ភាសន៍", "Uses active listening and interviewing skills"),
                [
                    Text(
                        "ប្រើសំណួរបើកចំហ ការឆ្លុះបញ្ចាំង និងការសង្ខេប។",
                        "Uses open questions, reflection and summarising.",
                    ),
                    Text(
                        "បង្ហាញការយល់ចិត្តដោយមិនវិនិច្ឆ័យ។",
                        "Shows empathy without judging.",
                    ),
                ],
            ),
            CompetencySpec(
                "CO.2",
                Text("ប្រាស្រ័យទាក់ទងជាមួយកុមារ", "Communicates with children"),
                [
                    Text(
                        "ប្រើភាសា និងសកម្មភាពសមស្របនឹងអាយុរបស់កុមារ។",
                        "Uses language and activities suited to the child's age.",
                    ),
                    Text(
                        "ពន្យល់កុមារអំពីអ្វីដែលនឹងកើតឡើងបន្ទាប់។",
                        "Explains to the child what will happen next.",
                    ),
                ],
            ),
            CompetencySpec(
                "CO.3",
                Text("រក្សាកំណត់ត្រាករណីឱ្យបានត្រឹមត្រូវ", "Keeps accurate case records"),
                [
                    Text(
                        "សរសេរកំណត់ត្រាករណីនៅថ្ងៃដដែល ដោយបែងចែកការពិតពីមតិ។",
                        "Writes case notes the same day, keeping facts apart from opinions.",
                    ),
                    Text(
                        "ប្រើទម្រង់គ្រប់គ្រងករណីថ្នាក់ជាតិ។",
                        "Uses the national case management forms.",
                    ),
                ],
            ),
            CompetencySpec(
                "CO.4",
                Text("សរសេររបាយការណ៍ និងប្រើប្រាស់ទិន្នន័យ", "Writes reports and uses data"),
                [
                    Text(
                        "រៀបចំរបាយការណ៍ប្រចាំខែឱ្យទាន់ពេលវេលា។",
                        "Prepares the monthly report on time.",
                    ),
                    Text(
                        "ប្រើទិន្នន័យករណីដើម្បីរៀបចំផែនការការងារ។",
                        "Uses case data to plan the work.",
                    ),
                ],
            ),
        ],
    ),
]

PLEDGE = Text(
    "ខ្ញុំសូមសន្យាថា នឹងគោរពសេចក្តីថ្លៃថ្នូរ និងសិទ្ធិរបស់មនុស្សគ្រប់រូបដែលខ្ញុំផ្តល់សេវាជូន "
    "រក្សាការសម្ងាត់នៃព័ត៌មានរបស់ពួកគេ ធ្វើសកម្មភាពដើម្បីផលប្រយោជន៍ឧត្តមរបស់កុមារ "
    "ជៀសវាងការបង្កគ្រោះថ្នាក់ ទំនាស់ផលប្រយោជន៍ និងទំនាក់ទំនងមិនសមរម្យ "
    "រាយការណ៍អំពីការរំលោភបំពានតាមការតម្រូវរបស់ច្បាប់ និងអនុវត្តតាមក្រមសីលធម៌របស់បុគ្គលិកសង្គមកិច្ច។",
    "I pledge to respect the dignity and rights of every person I serve, to keep their information "
    "confidential, to act in the best interests of children, to avoid harm, conflicts of interest and "
    "improper relationships, to report abuse as the law requires, and to follow the social worker's code "
    "of ethics.",
)

QUESTIONS = [
    QuestionSpec(
        Text(
            "អ្នកជិតខាងរបស់អតិថិជនសួរអ្នកថា ហេតុអ្វីបានជាអ្នកមកលេងគ្រួសារនោះ។ តើអ្នកគួរធ្វើដូចម្តេច?",
            "A neighbour of your client asks why you visited the family. What do you do?",
        ),
        [
            (
                Text(
                    "ពន្យល់អំពីបញ្ហារបស់គ្រួសារ ដើម្បីឱ្យអ្នកជិតខាងអាចជួយបាន។",
                    "Explain the family's problem so that the neighbour can help.",
                ),
                False,
            ),
            (
                Text(
                    "និយាយដោយគួរសមថា អ្នកមិនអាចនិយាយអំពីមនុស្សដែលអ្នកធ្វើការជាមួយបានទេ។",
                    "Say politely that you cannot talk about the people you work with.",
                ),
                True,
            ),
            (
                Text(
                    "សួរអ្នកជិតខាងវិញថា តើគាត់ដឹងអ្វីខ្លះអំពីគ្រួសារនោះ។",
                    "Ask the neighbour what they know about the family.",
                ),
                False,
            ),
        ],
        Text(
            "ព័ត៌មានអំពីអតិថិជនជាការសម្ងាត់។ ចែករំលែកវាតែនៅពេលមានការយល់ព្រមពីអតិថិជន "
            "ឬនៅពេលច្បាប់តម្រូវប៉ុណ្ណោះ មិនមែនដើម្បីបំពេញចិត្តចង់ដឹងរបស់អ្នកដទៃឡើយ។",
            "Information about a client is confidential. Share it only with the client's consent or when the "
            "law requires it, never to satisfy someone's curiosity.",
        ),
    ),
    QuestionSpec(
        Text(
            "តើនៅពេលណាខ្លះ ដែលបុគ្គលិកសង្គមកិច្ចអាចចែករំលែកព័ត៌មានរបស់អតិថិជន ដោយគ្មានការយល់ព្រមពីអតិថិជន?",
            "When may a social worker share a client's information without the client's consent?",
        ),
        [
            (Text("នៅពេលកុមារប្រឈមនឹងគ្រោះថ្នាក់ធ្ងន់ធ្ងរ។", "When a child is at risk of serious harm."), True),
            (Text("នៅពេលតុលាការចេញដីកាបង្គាប់។", "When a court orders it."), True),
            (
                Text(
                    "នៅពេលអ្នកសារព័ត៌មានស្នើសុំព័ត៌មានសម្រាប់សរសេរអត្ថបទ។",
                    "When a journalist asks for a story.",
                ),
                False,
            ),
            (Text("នៅពេលសាច់ញាតិរបស់អតិថិជនចង់ដឹង។", "When the client's relatives want to know."), False),
        ],
        Text(
            "ការរក្សាការសម្ងាត់មានដែនកំណត់៖ ហានិភ័យនៃគ្រោះថ្នាក់ធ្ងន់ធ្ងរ ជាពិសេសចំពោះកុមារ "
            "និងដីកាបង្គាប់របស់តុលាការ។ សាច់ញាតិ និងអ្នកសារព័ត៌មានគ្មានសិទ្ធិទទួលបានព័ត៌មាន "
            "ដោយគ្មានការយល់ព្រមឡើយ។",
            "Confidentiality has limits: a serious risk of harm, above all to a child, and a court order. "
            "Relatives and journalists have no right to the information without consent.",
        ),
    ),
    QuestionSpec(
        Text(
            "តើការយល់ព្រមដោយមានការជូនដំណឹង មានន័យដូចម្តេច?",
            "What does informed consent mean?",
        ),
        [
            (
                Text(
                    "អតិថិជនយល់ព្រមដោយសេរី បន្ទាប់ពីបានយល់អំពីខ្លឹមសារនៃសេវា ហានិភ័យ និងសិទ្ធិរបស់ខ្លួនក្នុងការបដិសេធ។",
                    "The client agrees freely after understanding what the service involves, its risks and "
                    "their right to refuse.",
                ),
                True,
            ),
            (
                Text(
                    "អតិថិជនចុះហត្ថលេខាលើទម្រង់ ដែលបុគ្គលិកសង្គមកិច្ចបានបំពេញរួចហើយ។",
                    "The client signs a form that the social worker has already filled in.",
                ),
                False,
            ),
            (Text("មេភូមិយល់ព្រមជំនួសគ្រួសារ។", "The village chief agrees on the family's behalf."), False),
        ],
        Text(
            "ការយល់ព្រមមានការជូនដំណឹង លុះត្រាតែបុគ្គលនោះយល់ច្បាស់ ជាពាក្យដែលគាត់ស្គាល់ អំពីអ្វីដែលនឹងកើតឡើង "
            "និងដឹងថាគាត់អាចបដិសេធបាន។ ហត្ថលេខាតែមួយមុខ មិនមែនជាការយល់ព្រមទេ។",
            "Consent is informed only when the person understands, in words they know, what will happen and "
            "that they may say no. A signature alone is not consent.",
        ),
    ),
    QuestionSpec(
        Text(
            "ក្មេងស្រីអាយុ ១៤ ឆ្នាំម្នាក់ នឹងត្រូវសម្ភាសអំពីស្ថានភាពរបស់នាង។ តើអ្នកត្រូវសុំការយល់ព្រមពីនរណា?",
            "A 14-year-old girl is to be interviewed about her situation. Whose agreement do you seek?",
        ),
        [
            (Text("ពីឪពុកម្តាយរបស់នាងតែប៉ុណ្ណោះ។", "Only her parents'."), False),
            (
                Text(
                    "ពីនាងផ្ទាល់ និងពីឪពុកម្តាយ ឬអាណាព្យាបាល លើកលែងតែការនោះអាចធ្វើឱ្យនាងប្រឈមនឹងគ្រោះថ្នាក់។",
                    "Her own, and her parents' or guardian's unless involving them would put her at risk.",
                ),
                True,
            ),
            (
                Text(
                    "មិនចាំបាច់សុំពីនរណាទេ ព្រោះកុមារមិនអាចផ្តល់ការយល់ព្រមបាន។",
                    "No one's: children cannot give consent.",
                ),
                False,
            ),
        ],
        Text(
            "កុមារមានសិទ្ធិបញ្ចេញមតិ និងត្រូវបានគេស្តាប់។ ពន្យល់ដោយប្រើពាក្យសមស្របនឹងអាយុរបស់នាង "
            "ហើយសុំការយល់ព្រមពីនាង ព្រមទាំងពីអ្នកថែទាំ "
            "លើកលែងតែការចូលរួមរបស់ពួកគេអាចធ្វើឱ្យនាងប្រឈមនឹងគ្រោះថ្នាក់។",
            "Children have the right to be heard. Explain in words suited to her age and seek her agreement "
            "as well as her caregivers', except where involving them would put her at risk.",
        ),
    ),
    QuestionSpec(
        Text(
            "រូបថតកុមារដែលអ្នកកំពុងជួយ អាចធ្វើឱ្យរបាយការណ៍ជូនម្ចាស់ជំនួយកាន់តែទាក់ទាញ។ តើអ្នកធ្វើដូចម្តេច?",
            "A photo of a child you support would make a strong report for donors. What do you do?",
        ),
        [
            (
                Text(
                    "ប្រើរូបថតនោះជាមួយឈ្មោះពេញរបស់កុមារ ដើម្បីឱ្យរឿងមានភាពពិតប្រាកដ។",
                    "Use the photo with the child's full name, so that the story is real.",
                ),
                False,
            ),
            (
                Text(
                    "មិនប្រើរូបថត ឬឈ្មោះដែលអាចសម្គាល់អត្តសញ្ញាណកុមារបានឡើយ លើកលែងតែកុមារ និងអ្នកថែទាំយល់ព្រម "
                    "ហើយវាមិនអាចបង្កគ្រោះថ្នាក់ដល់កុមារ។",
                    "Use no photo or name that could identify the child, unless the child and the caregiver "
                    "agree and it cannot harm the child.",
                ),
                True,
            ),
            (
                Text(
                    "បង្ហោះវានៅលើបណ្តាញសង្គម ដើម្បីលើកកម្ពស់ការយល់ដឹង។",
                    "Post it on social media to raise awareness.",
                ),
                False,
            ),
        ],
        Text(
            "មិនបង្កគ្រោះថ្នាក់៖ រូបថត ឬឈ្មោះ អាចធ្វើឱ្យកុមាររងការមាក់ងាយ ឬនាំជនល្មើសឱ្យរកឃើញកុមារ។ "
            "សុវត្ថិភាពរបស់កុមារត្រូវមកមុនរបាយការណ៍ណាមួយ។",
            "Do no harm: a photo or a name can expose a child to stigma, or lead an abuser to the child. "
            "The child's safety comes before any report.",
        ),
    ),
    QuestionSpec(
        Text(
            "អតិថិជនម្នាក់ស្នើឱ្យអ្នកធ្វើជាដៃគូអាជីវកម្មក្នុងហាងរបស់នាង។ តើអ្នកធ្វើដូចម្តេច?",
            "A client invites you to become a partner in her shop. What do you do?",
        ),
        [
            (
                Text(
                    "ទទួលយក ព្រោះវាជួយបង្កើនប្រាក់ចំណូលគ្រួសាររបស់នាង។",
                    "Accept, because it adds to her family's income.",
                ),
                False,
            ),
            (
                Text(
                    "បដិសេធដោយគួរសម ហើយពន្យល់ថា វានឹងក្លាយជាទំនាក់ទំនងទ្វេ ដែលអាចប៉ះពាល់ដល់សេវា។",
                    "Decline politely and explain that it would be a dual relationship that could harm the "
                    "service.",
                ),
                True,
            ),
            (
                Text(
                    "ទទួលយក ប៉ុន្តែមិនប្រាប់អ្នកគ្រប់គ្រងរបស់អ្នក។",
                    "Accept, but do not tell your supervisor.",
                ),
                False,
            ),
        ],
        Text(
            "ទំនាក់ទំនងអាជីវកម្ម ស្នេហា ឬហិរញ្ញវត្ថុជាមួយអតិថិជន គឺជាទំនាក់ទំនងទ្វេ៖ "
            "វាធ្វើឱ្យការវិនិច្ឆ័យរបស់អ្នកលម្អៀង ហើយអតិថិជនអាចមានអារម្មណ៍ថាមិនអាចបដិសេធបាន។ ត្រូវបដិសេធ "
            "ហើយពិភាក្សាជាមួយអ្នកគ្រប់គ្រងរបស់អ្នក។",
            "A business, romantic or financial relationship with a client is a dual relationship: it clouds "
            "your judgement and the client may feel unable to say no. Decline and discuss it with your "
            "supervisor.",
        ),
    ),
    QuestionSpec(
        Text(
            "កុមារីម្នាក់ប្រាប់អ្នកថា ឪពុកចុងរបស់នាងវាយនាង ហើយសុំកុំឱ្យអ្នកប្រាប់នរណាម្នាក់។ តើអ្នកធ្វើដូចម្តេច?",
            "A girl tells you that her stepfather beats her, and asks you not to tell anyone. What do you "
            "do?",
        ),
        [
            (
                Text(
                    "រក្សាការសន្យា ដើម្បីឱ្យនាងនៅតែទុកចិត្តអ្នក។",
                    "Keep the secret, so that she goes on trusting you.",
                ),
                False,
            ),
            (
                Text(
                    "ប្រាប់នាងដោយទន់ភ្លន់ថា អ្នកត្រូវតែរាយការណ៍ ដើម្បីសុវត្ថិភាពរបស់នាង ហើយរាយការណ៍ភ្លាមៗតាមនីតិវិធី។",
                    "Tell her gently that you must report it to keep her safe, and report it at once as the "
                    "procedure requires.",
                ),
                True,
            ),
            (
                Text(
                    "ទៅនិយាយជាមួយឪពុកចុងជាមុនសិន ដើម្បីស្តាប់ការពន្យល់ពីគាត់។",
                    "Talk to the stepfather first to hear his side.",
                ),
                False,
            ),
        ],
        Text(
            "កុំសន្យាជាមួយកុមារថា នឹងលាក់ការរំលោភបំពានជាសម្ងាត់ឡើយ។ ករណីសង្ស័យថាមានការរំលោភបំពាន "
            "ត្រូវរាយការណ៍ទៅអាជ្ញាធរទទួលខុសត្រូវភ្លាមៗ។ ការទៅជួបជនសង្ស័យដោយផ្ទាល់ "
            "អាចធ្វើឱ្យកុមារកាន់តែមានគ្រោះថ្នាក់។",
            "Never promise a child to keep abuse secret. Suspected abuse must be reported to the responsible "
            "authority at once; confronting the suspected abuser can put the child in greater danger.",
        ),
    ),
    QuestionSpec(
        Text(
            "តើសញ្ញាណាខ្លះខាងក្រោម ដែលគួរធ្វើឱ្យអ្នកសង្ស័យថា កុមារកំពុងរងការរំលោភបំពាន ឬការធ្វេសប្រហែស?",
            "Which of these signs should make you suspect that a child is abused or neglected?",
        ),
        [
            (
                Text(
                    "របួសម្តងហើយម្តងទៀត ដែលការពន្យល់មិនស៊ីគ្នា",
                    "Repeated injuries with explanations that do not fit",
                ),
                True,
            ),
            (Text("ការភ័យខ្លាច មិនហ៊ានត្រឡប់ទៅផ្ទះ", "Fear of going home"), True),
            (
                Text(
                    "ឃ្លានញឹកញាប់ ប្រឡាក់ ឬត្រូវគេទុកចោលម្នាក់ឯងយូរ",
                    "Often hungry, dirty or left alone for long periods",
                ),
                True,
            ),
            (Text("ខ្មាស់អៀនពេលជួបមនុស្សចម្លែក", "Shyness with strangers"), False),
        ],
        Text(
            "របួសដែលគ្មានការពន្យល់សមហេតុផល ការភ័យខ្លាចផ្ទះ និងសញ្ញានៃការធ្វេសប្រហែស "
            "ទាមទារឱ្យមានការពិនិត្យឱ្យបានដិតដល់ និងការរាយការណ៍។ ភាពខ្មាស់អៀនតែមួយមុខ "
            "គឺជារឿងធម្មតាសម្រាប់កុមារជាច្រើន។",
            "Unexplained injuries, fear of home and signs of neglect call for a closer look and a report. "
            "Shyness alone is normal for many children.",
        ),
    ),
    QuestionSpec(
        Text(
            "គ្រួសារជនជាតិដើមភាគតិចមួយមកសុំជំនួយ។ មិត្តរួមការងារម្នាក់និយាយថា ពួកគេ «តែងតែបង្កបញ្ហា»។ តើការឆ្លើយតបណាដែលត្រឹមត្រូវ?",
            "An indigenous family asks for help. A colleague says they 'always cause trouble'. What is the "
            "right response?",
        ),
        [
            (
                Text(
                    "ចំណាយពេលតិចសម្រាប់ពួកគេ ព្រោះមានគ្រួសារផ្សេងទៀតកំពុងរង់ចាំ។",
                    "Give them less time, since other families are waiting.",
                ),
                False,
            ),
            (
                Text(
                    "ផ្តល់សេវាដល់ពួកគេដូចគ្រួសារដទៃទៀតដែរ ដោយផ្អែកលើតម្រូវការ ហើយជំទាស់នឹងសម្តីនោះដោយការគោរព។",
                    "Serve them like any other family, according to need, and challenge the remark "
                    "respectfully.",
                ),
                True,
            ),
            (
                Text(
                    "បញ្ជូនពួកគេទៅអង្គការណាមួយ ដែលធ្វើការតែជាមួយជនជាតិដើមភាគតិចប៉ុណ្ណោះ។",
                    "Send them to an organisation that works only with indigenous peoples.",
                ),
                False,
            ),
        ],
        Text(
            "សេវាត្រូវផ្តល់ទៅតាមតម្រូវការ ដោយគ្មានការរើសអើងលើជាតិពន្ធុ សាសនា ភេទ ពិការភាព អាយុ ឬឋានៈ។",
            "Services are given according to need, without discrimination by ethnicity, religion, sex, "
            "disability, age or status.",
        ),
    ),
    QuestionSpec(
        Text(
            "បន្ទាប់ពីអ្នកជួយគ្រួសារមួយឱ្យទទួលបានប័ណ្ណសមធម៌ ពួកគេចង់ជូនមាន់មួយក្បាលដល់អ្នកជាការអរគុណ។ តើអ្នកធ្វើដូចម្តេច?",
            "After you help a family obtain their Equity Card, they want to give you a chicken to thank you. "
            "What do you do?",
        ),
        [
            (Text("ទទួលយក ព្រោះការបដិសេធគឺមិនគួរសម។", "Accept it: refusing would be rude."), False),
            (
                Text(
                    "អរគុណពួកគេដោយស្និទ្ធស្នាល ហើយបដិសេធ ដោយពន្យល់ថា សេវានេះឥតគិតថ្លៃ ហើយជាសិទ្ធិរបស់ពួកគេ។",
                    "Thank them warmly and decline, explaining that the service is free and is their right.",
                ),
                True,
            ),
            (
                Text(
                    "ទទួលយក ហើយចែករំលែកជាមួយមិត្តរួមការងារ។",
                    "Accept it and share it with your colleagues.",
                ),
                False,
            ),
        ],
        Text(
            "សេវាសាធារណៈគឺជាសិទ្ធិរបស់គ្រួសារ មិនមែនជាការប្រោសប្រណីទេ។ "
            "ការទទួលអំណោយអាចធ្វើឱ្យគ្រួសារក្រីក្រគិតថា ពួកគេត្រូវតែបង់ថ្លៃ "
            "ហើយអាចមានឥទ្ធិពលលើការសម្រេចចិត្តរបស់អ្នក។",
            "Public services are the family's right, not a favour. Accepting gifts can make poor families "
            "think they must pay, and can sway your decisions.",
        ),
    ),
    QuestionSpec(
        Text(
            "តើទង្វើណាខ្លះខាងក្រោម ដែលរក្សាព្រំដែនវិជ្ជាជីវៈជាមួយអតិថិជន?",
            "Which of these keep professional boundaries with a client?",
        ),
        [
            (
                Text(
                    "ផ្តល់លេខទូរស័ព្ទការិយាល័យ ជំនួសឱ្យលេខផ្ទាល់ខ្លួន",
                    "Giving the office phone number rather than your own",
                ),
                True,
            ),
            (
                Text(
                    "ជួបអតិថិជននៅការិយាល័យ ឬក្នុងពេលចុះសួរសុខទុក្ខតាមផ្ទះដែលបានគ្រោងទុក",
                    "Meeting the client at the office or on planned home visits",
                ),
                True,
            ),
            (Text("ឱ្យអតិថិជនខ្ចីលុយផ្ទាល់ខ្លួនរបស់អ្នក", "Lending the client your own money"), False),
            (
                Text(
                    "បន្ថែមអតិថិជនជាមិត្តនៅលើហ្វេសប៊ុកផ្ទាល់ខ្លួនរបស់អ្នក",
                    "Adding the client as a friend on your personal Facebook",
                ),
                False,
            ),
        ],
        Text(
            "ព្រំដែនច្បាស់លាស់ការពារទាំងអតិថិជន និងខ្លួនអ្នក។ ការឱ្យខ្ចីលុយផ្ទាល់ខ្លួន "
            "និងការទាក់ទងឯកជនតាមបណ្តាញសង្គម ប្រែក្លាយទំនាក់ទំនងវិជ្ជាជីវៈទៅជាទំនាក់ទំនងផ្ទាល់ខ្លួន។",
            "Clear boundaries protect both the client and you. Personal loans and private social-media "
            "contact turn a professional relationship into a personal one.",
        ),
    ),
    QuestionSpec(
        Text(
            "ស្ត្រីពេញវ័យម្នាក់សម្រេចចិត្តមិនទៅស្នាក់នៅផ្ទះសុវត្ថិភាព ទោះបីអ្នកគិតថាវាមានសុវត្ថិភាពជាងក៏ដោយ។ "
            "នាងយល់ច្បាស់អំពីហានិភ័យ។ តើអ្នកធ្វើដូចម្តេច?",
            "An adult woman decides not to move to a shelter, though you think it would be safer. She "
            "understands the risks. What do you do?",
        ),
        [
            (Text("ទទូចរហូតដល់នាងយល់ព្រម។", "Insist until she agrees."), False),
            (
                Text("បិទករណីរបស់នាង ព្រោះនាងបដិសេធជំនួយ។", "Close her case, since she refused help."),
                False,
            ),
            (
                Text(
                    "គោរពការសម្រេចចិត្តរបស់នាង រៀបចំផែនការសុវត្ថិភាពជាមួយនាង ហើយបន្តផ្តល់ការគាំទ្រ។",
                    "Respect her decision, make a safety plan with her and keep offering support.",
                ),
                True,
            ),
        ],
        Text(
            "មនុស្សពេញវ័យមានសិទ្ធិសម្រេចចិត្តដោយខ្លួនឯងលើជីវិតរបស់ពួកគេ។ តួនាទីរបស់អ្នកគឺផ្តល់ព័ត៌មាន "
            "រៀបចំផែនការសុវត្ថិភាព និងត្រៀមខ្លួនជួយជានិច្ច មិនមែនសម្រេចចិត្តជំនួសពួកគេទេ។",
            "Adults have the right to make their own decisions about their lives. Your role is to inform, "
            "plan for safety and stay available, not to decide for them.",
        ),
    ),
    QuestionSpec(
        Text(
            "មណ្ឌលថែទាំមួយស្នើទទួលយកកុមារម្នាក់ ដែលម្តាយក្រីក្រ ប៉ុន្តែថែទាំកូនបានល្អ។ "
            "តើគោលការណ៍ផលប្រយោជន៍ឧត្តមរបស់កុមារ ណែនាំឱ្យធ្វើអ្វីមុនគេ?",
            "A residential centre offers to take a child whose mother is poor but caring. What does the best "
            "interests principle call for first?",
        ),
        [
            (
                Text(
                    "គាំទ្រម្តាយ ដើម្បីឱ្យកុមារអាចរស់នៅជាមួយគ្រួសារបាន។",
                    "Support the mother so that the child can stay with the family.",
                ),
                True,
            ),
            (
                Text(
                    "ដាក់កុមារនៅមណ្ឌល ព្រោះនៅទីនោះមានអាហារ និងសាលារៀន។",
                    "Place the child in the centre, where there is food and school.",
                ),
                False,
            ),
            (Text("ទុកឱ្យមណ្ឌលជាអ្នកសម្រេច។", "Let the centre decide."), False),
        ],
        Text(
            "ភាពក្រីក្រតែមួយមុខ មិនមែនជាហេតុផលសម្រាប់បំបែកកុមារចេញពីគ្រួសារឡើយ។ "
            "ការថែទាំនៅមណ្ឌលគឺជាជម្រើសចុងក្រោយ ហើយការថែទាំផ្អែកលើគ្រួសារត្រូវមកមុន។",
            "Poverty alone is never a reason to separate a child from the family. Residential care is a last "
            "resort; family-based care comes first.",
        ),
    ),
    QuestionSpec(
        Text(
            "អ្នកចុះសួរសុខទុក្ខបុរសម្នាក់ដែលប្រើរទេះរុញ ដោយមានបងស្រីរបស់គាត់នៅជាមួយ។ តើអ្នកនិយាយជាមួយនរណាអំពីតម្រូវការរបស់គាត់?",
            "You visit a man who uses a wheelchair; his sister is with him. Whom do you talk to about his "
            "needs?",
        ),
        [
            (
                Text(
                    "បងស្រីរបស់គាត់ ព្រោះនាងជាអ្នកមើលថែគាត់។",
                    "His sister, because she looks after him.",
                ),
                False,
            ),
            (
                Text(
                    "បុរសនោះផ្ទាល់ ហើយបងស្រីរបស់គាត់អាចបន្ថែមព័ត៌មាន ប្រសិនបើគាត់ចង់។",
                    "The man himself; his sister may add to it if he wishes.",
                ),
                True,
            ),
            (Text("នរណាក៏បាន ដែលនិយាយមុន។", "Whoever speaks first."), False),
        ],
        Text(
            "ការគោរពសេចក្តីថ្លៃថ្នូរ មានន័យថាត្រូវនិយាយដោយផ្ទាល់ជាមួយបុគ្គលនោះ ព្រោះគាត់ជាអ្នកដឹងច្បាស់ជាងគេ អំពីជីវិតរបស់ខ្លួន។",
            "Respect for dignity means speaking directly to the person, who knows their own life best.",
        ),
    ),
    QuestionSpec(
        Text(
            "អ្នកត្រូវបានចាត់តាំងឱ្យវាយតម្លៃគ្រួសារមួយ ដែលជាសាច់ញាតិរបស់អ្នក។ តើអ្នកធ្វើដូចម្តេច?",
            "You are asked to assess a family who are your relatives. What do you do?",
        ),
        [
            (
                Text(
                    "ធ្វើការវាយតម្លៃ ព្រោះអ្នកស្គាល់គ្រួសារនោះច្បាស់ហើយ។",
                    "Do the assessment, since you already know the family well.",
                ),
                False,
            ),
            (
                Text(
                    "ប្រាប់អ្នកគ្រប់គ្រងរបស់អ្នក ហើយស្នើឱ្យផ្ទេរករណីនេះទៅមិត្តរួមការងារ។",
                    "Tell your supervisor and ask for the case to go to a colleague.",
                ),
                True,
            ),
            (
                Text(
                    "ធ្វើការវាយតម្លៃ ប៉ុន្តែមិនកត់ត្រាអំពីទំនាក់ទំនងនោះទេ។",
                    "Do the assessment but leave the relationship out of the record.",
                ),
                False,
            ),
        ],
        Text(
            "ចំណងសាច់ញាតិ គឺជាទំនាស់ផលប្រយោជន៍។ ត្រូវប្រកាសប្រាប់ ហើយដកខ្លួនចេញ "
            "ដើម្បីឱ្យការវាយតម្លៃមានភាពយុត្តិធម៌ និងត្រូវបានគេមើលឃើញថាយុត្តិធម៌។",
            "A family tie is a conflict of interest. Declare it and step aside, so that the assessment is "
            "fair and is seen to be fair.",
        ),
    ),
    QuestionSpec(
        Text(
            "តើព័ត៌មានណាខ្លះខាងក្រោម ដែលគួរសរសេរក្នុងកំណត់ត្រាករណី?",
            "Which of these belong in a case note?",
        ),
        [
            (
                Text(
                    "អ្វីដែលអ្នកបានឃើញ និងបានឮ ព្រមទាំងកាលបរិច្ឆេទ",
                    "What you saw and heard, with the date",
                ),
                True,
            ),
            (
                Text("សកម្មភាពដែលបានឯកភាពជាមួយអតិថិជន", "The actions agreed with the client"),
                True,
            ),
            (
                Text(
                    "មតិផ្ទាល់ខ្លួនរបស់អ្នកអំពីសីលធម៌របស់គ្រួសារ",
                    "Your personal opinion of the family's morals",
                ),
                False,
            ),
            (
                Text(
                    "ពាក្យចចាមអារ៉ាមពីអ្នកជិតខាង ដែលសរសេរដូចជាការពិត",
                    "Neighbours' gossip, written down as fact",
                ),
                False,
            ),
        ],
        Text(
            "កំណត់ត្រាករណីត្រូវផ្អែកលើការពិត មានកាលបរិច្ឆេទ និងប្រកបដោយការគោរព ព្រោះអតិថិជនអាចអានវាបាន។ "
            "មតិត្រូវបញ្ជាក់ថាជាមតិ ហើយពាក្យចចាមអារ៉ាមមិនត្រូវសរសេរទេ។",
            "Case notes are factual, dated and respectful; the client may read them. Opinions are marked as "
            "opinions, and gossip is left out.",
        ),
    ),
    QuestionSpec(
        Text(
            "ករណីមួយពាក់ព័ន្ធនឹងបញ្ហា ដែលអ្នកមិនធ្លាប់បានទទួលការបណ្តុះបណ្តាល។ តើអ្វីជាការធ្វើដែលត្រឹមត្រូវតាមសីលធម៌?",
            "A case involves a problem you have not been trained for. What is the ethical course?",
        ),
        [
            (
                Text(
                    "ដោះស្រាយតែម្នាក់ឯង ដើម្បីកុំឱ្យអតិថិជនបាត់បង់ទំនុកចិត្ត។",
                    "Handle it alone so that the client does not lose trust.",
                ),
                False,
            ),
            (
                Text(
                    "សុំការណែនាំពីអ្នកគ្រប់គ្រង ហើយបើចាំបាច់ បញ្ជូនអតិថិជនទៅសេវាជំនាញ។",
                    "Seek supervision and, if needed, refer the client to a specialised service.",
                ),
                True,
            ),
            (
                Text(
                    "ប្រាប់អតិថិជនថា បញ្ហានេះមិនអាចដោះស្រាយបានទេ។",
                    "Tell the client that the problem cannot be solved.",
                ),
                False,
            ),
        ],
        Text(
            "បុគ្គលិកសង្គមកិច្ចធ្វើការក្នុងដែនសមត្ថភាពរបស់ខ្លួន។ ការណែនាំពីអ្នកគ្រប់គ្រង និងការបញ្ជូន ការពារអតិថិជនពីគ្រោះថ្នាក់។",
            "Social workers act within their competence. Supervision and referral protect the client from "
            "harm.",
        ),
    ),
    QuestionSpec(
        Text(
            "តើទង្វើណាខ្លះខាងក្រោម ដែលមិនអាចទទួលយកបានជាដាច់ខាតសម្រាប់បុគ្គលិកសង្គមកិច្ច?",
            "Which of these are never acceptable for a social worker?",
        ),
        [
            (Text("ទំនាក់ទំនងផ្លូវភេទជាមួយអតិថិជន", "A sexual relationship with a client"), True),
            (Text("ទារលុយដើម្បីពន្លឿនសេវា", "Asking for money to speed up a service"), True),
            (Text("បដិសេធអំណោយដោយគួរសម", "Politely refusing a gift"), False),
            (
                Text(
                    "សុំដំបូន្មានពីអ្នកគ្រប់គ្រងលើករណីលំបាក",
                    "Asking a supervisor for advice on a difficult case",
                ),
                False,
            ),
        ],
        Text(
            "ទំនាក់ទំនងផ្លូវភេទជាមួយអតិថិជន និងការទារលុយ គឺជាការរំលោភអំណាច៖ វាបង្កគ្រោះថ្នាក់ដល់អតិថិជន "
            "និងជាមូលហេតុនៃការបញ្ឈប់ពីការងារ។",
            "Sexual relationships with clients and requests for money are abuses of power: they harm clients "
            "and are grounds for dismissal.",
        ),
    ),
]

SIGNATORY_TITLE = Text("នាយកវិទ្យាស្ថានជាតិសង្គមកិច្ច", "Director, National Institute of Social Affairs")

COURSES = [
    CourseSpec(
        "SW101",
        Text("មូលដ្ឋានគ្រឹះនៃការងារសង្គមកិច្ច", "Foundations of Social Work"),
        Text(
            "វគ្គសិក្សាមូលដ្ឋានសម្រាប់បុគ្គលិកសង្គមកិច្ចរបស់រដ្ឋ ជំនួយការការងារសង្គមកិច្ច និងបុគ្គលបង្គោលឃុំ "
            "សង្កាត់៖ ប្រព័ន្ធសេវាសង្គមនៅកម្ពុជា ការលូតលាស់របស់មនុស្ស ការប្រាស្រ័យទាក់ទង និងការសម្ភាសន៍ "
            "ការងារជាមួយសហគមន៍ ព្រមទាំងតម្លៃ និងក្រមសីលធម៌នៃវិជ្ជាជីវៈ។",
            "The entry course for government social workers, social-work assistants and commune focal "
            "points: the social service system in Cambodia, human development, communication and "
            "interviewing, working with communities, and the values and code of ethics of the profession.",
        ),
        "Foundation",
        None,
        [
            (
                Text(
                    "ការងារសង្គមកិច្ចនៅកម្ពុជា៖ ប្រវត្តិ តួនាទី និងប្រព័ន្ធសេវាសង្គម",
                    "Social work in Cambodia: history, mandate and the social service system",
                ),
                12,
            ),
            (
                Text(
                    "ការលូតលាស់របស់មនុស្ស និងភាពងាយរងគ្រោះតាមដំណាក់កាលជីវិត",
                    "Human development and vulnerability across the life course",
                ),
                12,
            ),
            (Text("ជំនាញប្រាស្រ័យទាក់ទង និងការសម្ភាសន៍", "Communication and interviewing skills"), 14),
            (Text("ការងារជាមួយសហគមន៍ និងការបញ្ជូន", "Working with communities and referral"), 12),
        ],
        (Text("តម្លៃការងារសង្គមកិច្ច និងក្រមសីលធម៌", "Social work values and the code of ethics"), 10),
        ["ETH.1", "ETH.2", "ETH.3", "ETH.4", "CO.1", "CO.3", "CR.1", "CR.2"],
    ),
    CourseSpec(
        "CM201",
        Text("ការគ្រប់គ្រងករណី", "Case Management"),
        Text(
            "ការសិក្សាមួយជំហានម្តងៗ តាមដំណើរការគ្រប់គ្រងករណីថ្នាក់ជាតិ៖ ការទទួលករណី និងការពិនិត្យបឋម "
            "ការវាយតម្លៃ ការរៀបចំផែនការករណី ការសម្របសម្រួល ការពិនិត្យឡើងវិញ និងការបិទករណី "
            "ដោយប្រើទម្រង់ថ្នាក់ជាតិ និងការកត់ត្រាករណីឱ្យបានល្អ។",
            "Step by step through the national case management process: intake and screening, assessment, "
            "case planning, coordination, review and closure, with the national forms and good case records.",
        ),
        "Specialisation",
        36,
        [
            (Text("ការទទួលករណី ការពិនិត្យបឋម និងហានិភ័យ", "Intake, screening and risk"), 10),
            (Text("ការវាយតម្លៃតម្រូវការ និងចំណុចខ្លាំង", "Assessing needs and strengths"), 10),
            (Text("ការរៀបចំផែនការករណី និងការសម្របសម្រួល", "Case planning and coordination"), 10),
            (
                Text("ការតាមដាន ការពិនិត្យឡើងវិញ និងការបិទករណី", "Monitoring, review and case closure"),
                8,
            ),
            (Text("កំណត់ត្រាករណី និងទិន្នន័យ", "Case records and data"), 4),
        ],
        (Text("សីលធម៌ក្នុងការគ្រប់គ្រងករណី", "Ethics in case management"), 6),
        ["CM.1", "CM.2", "CM.3", "CM.4", "CO.3", "CO.4", "ETH.2", "CR.2"],
    ),
    CourseSpec(
        "CP201",
        Text("ការការពារកុមារ", "Child Protection"),
        Text(
            "សម្រាប់បុគ្គលិកសង្គមកិច្ច និងបុគ្គលបង្គោលឃុំ សង្កាត់ ដែលការពារកុមារ៖ "
            "ការស្គាល់ការរំលោភបំពាន ការធ្វេសប្រហែស និងការកេងប្រវ័ញ្ច ការឆ្លើយតប និងការរាយការណ៍ "
            "ផលប្រយោជន៍ឧត្តមរបស់កុមារ ការថែទាំផ្អែកលើគ្រួសារ និងសមាហរណកម្ម ព្រមទាំងការនិយាយជាមួយកុមារ។",
            "For social workers and commune focal points who protect children: recognising abuse, neglect "
            "and exploitation, responding and reporting, the best interests of the child, family-based care "
            "and reintegration, and talking with children.",
        ),
        "Specialisation",
        36,
        [
            (
                Text(
                    "សិទ្ធិកុមារ និងប្រព័ន្ធការពារកុមារនៅកម្ពុជា",
                    "Child rights and the child protection system in Cambodia",
                ),
                10,
            ),
            (
                Text(
                    "ការស្គាល់ការរំលោភបំពាន ការធ្វេសប្រហែស និងការកេងប្រវ័ញ្ច",
                    "Recognising abuse, neglect and exploitation",
                ),
                12,
            ),
            (Text("ការឆ្លើយតប ការរាយការណ៍ និងការបញ្ជូន", "Responding, reporting and referral"), 10),
            (
                Text("ការថែទាំផ្អែកលើគ្រួសារ និងសមាហរណកម្ម", "Family-based care and reintegration"),
                10,
            ),
            (Text("ការនិយាយជាមួយកុមារ", "Talking with children"), 6),
        ],
        (Text("សីលធម៌ក្នុងការងារជាមួយកុមារ", "Ethics in work with children"), 6),
        ["CP.1", "CP.2", "CP.3", "CP.4", "CO.2", "ETH.2", "ETH.4", "CR.3"],
    ),
    CourseSpec(
        "DI201",
        Text("ការងារជាមួយជនមានពិការភាព", "Working with Persons with Disabilities"),
        Text(
            "វិធីសាស្ត្រផ្អែកលើសិទ្ធិចំពោះពិការភាព៖ ការកំណត់ការលំបាកក្នុងការប្រកបសកម្មភាព និងតម្រូវការជំនួយ "
            "ការប្រាស្រ័យទាក់ទងដែលងាយចូលប្រើ និងការភ្ជាប់ជនមានពិការភាពទៅនឹងសេវាស្តារនីតិសម្បទា ការអប់រំ "
            "ការងារ និងកិច្ចគាំពារសង្គម។",
            "A rights-based approach to disability: identifying functional difficulties and support needs, "
            "accessible communication, and linking persons with disabilities to rehabilitation, education, "
            "work and social protection.",
        ),
        "Specialisation",
        36,
        [
            (Text("សិទ្ធិជនមានពិការភាព និងបរិយាបន្ន", "Disability rights and inclusion"), 8),
            (
                Text("ការកំណត់ពិការភាព និងតម្រូវការជំនួយ", "Identifying disability and support needs"),
                10,
            ),
            (Text("ការប្រាស្រ័យទាក់ទងដែលងាយចូលប្រើ", "Accessible communication"), 8),
            (
                Text(
                    "សេវា ការស្តារនីតិសម្បទា និងកិច្ចគាំពារសង្គម",
                    "Services, rehabilitation and social protection",
                ),
                8,
            ),
        ],
        (Text("សីលធម៌ និងសេចក្តីថ្លៃថ្នូរក្នុងការងារពិការភាព", "Ethics and dignity in disability work"), 6),
        ["DI.1", "DI.2", "DI.3", "DI.4", "ETH.4", "CR.2"],
    ),
]


async def _framework(session: AsyncSession) -> dict[str, int]:
    """The framework, its domains and competencies; returns competency ids by code."""
    framework = CompetencyFramework(
        code=FRAMEWORK_CODE,
        title_km=FRAMEWORK.km,
        title_en=FRAMEWORK.en,
        description_km=FRAMEWORK_DESCRIPTION.km,
        description_en=FRAMEWORK_DESCRIPTION.en,
    )
    session.add(framework)
    await session.flush()
    competencies: list[Competency] = []
    for domain_position, spec in enumerate(DOMAINS, start=1):
        domain = CompetencyDomain(
            framework_id=row_id(framework),
            code=spec.code,
            title_km=spec.title.km,
            title_en=spec.title.en,
            position=domain_position,
        )
        session.add(domain)
        await session.flush()
        competencies += [
            Competency(
                framework_id=row_id(framework),
                domain_id=row_id(domain),
                code=competency.code,
                title_km=competency.title.km,
                title_en=competency.title.en,
                criteria_km="\n".join(criterion.km for criterion in competency.criteria),
                criteria_en="\n".join(criterion.en for criterion in competency.criteria),
                position=position,
            )
            for position, competency in enumerate(spec.competencies, start=1)
        ]
    session.add_all(competencies)
    await session.flush()
    return {competency.code: row_id(competency) for competency in competencies}


async def _question_bank(session: AsyncSession, module_id: int) -> None:
    session.add(
        EthicsQuiz(
            module_id=module_id,
            questions_per_attempt=10,
            pass_mark_percent=80,
            attempts_allowed=3,
            pledge_km=PLEDGE.km,
            pledge_en=PLEDGE.en,
        )
    )
    for position, spec in enumerate(QUESTIONS, start=1):
        right_answers = sum(correct for _, correct in spec.options)
        question = QuizQuestion(
            module_id=module_id,
            position=position,
            kind=QuestionKind.single if right_answers == 1 else QuestionKind.multiple,
            text_km=spec.text.km,
            text_en=spec.text.en,
            explanation_km=spec.explanation.km,
            explanation_en=spec.explanation.en,
        )
        session.add(question)
        await session.flush()
        session.add_all(
            QuizOption(
                question_id=row_id(question),
                position=n,
                text_km=option.km,
                text_en=option.en,
                correct=correct,
            )
            for n, (option, correct) in enumerate(spec.options, start=1)
        )


async def _course(session: AsyncSession, spec: CourseSpec, competency_ids: dict[str, int]) -> None:
    ethics_title, ethics_hours = spec.ethics_module
    now = utcnow()
    course = Course(
        code=spec.code,
        status=CourseStatus.published,
        title_km=spec.title.km,
        title_en=spec.title.en,
        description_km=spec.description.km,
        description_en=spec.description.en,
        category=spec.category,
        hours=Decimal(sum(hours for _, hours in spec.modules) + ethics_hours),
        validity_months=spec.validity_months,
        certificate_title_km=f"វិញ្ញាបនបត្របញ្ជាក់ការបណ្តុះបណ្តាល៖ {spec.title.km}",
        certificate_title_en=f"Certificate of Training: {spec.title.en}",
        signatory_title_km=SIGNATORY_TITLE.km,
        signatory_title_en=SIGNATORY_TITLE.en,
        published_at=now,
    )
    session.add(course)
    await session.flush()
    session.add_all(
        CourseCompetency(course_id=row_id(course), competency_id=competency_ids[code], required=True)
        for code in spec.competencies
    )
    modules = [(title, hours, ModuleKind.regular) for title, hours in spec.modules]
    modules.append((ethics_title, ethics_hours, ModuleKind.ethics))
    for position, (title, hours, kind) in enumerate(modules, start=1):
        module = CourseModule(
            course_id=row_id(course),
            position=position,
            title_km=title.km,
            title_en=title.en,
            hours=Decimal(hours),
            kind=kind,
        )
        session.add(module)
        await session.flush()
        if kind == ModuleKind.ethics:
            await _question_bank(session, row_id(module))


async def load_demo_curriculum(session: AsyncSession) -> None:
    """Write the starter curriculum, all published; does nothing if its framework is already there."""
    existing = await session.execute(
        select(CompetencyFramework.id).where(col(CompetencyFramework.code) == FRAMEWORK_CODE)
    )
    if existing.first() is not None:
        return
    competency_ids = await _framework(session)
    for spec in COURSES:
        await _course(session, spec, competency_ids)
    await session.commit()

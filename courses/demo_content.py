"""The demo courses, as plain data. `courses.demo` turns this into Wagtail pages.

Text fields are written in a small markup so that they stay readable here:

- rich text ("text" blocks, callout texts, `how_to_join`, `intro`): paragraphs are separated by
  a blank line; a paragraph whose lines start with "- " is a bulleted list, with "1. " a
  numbered list; **bold** and *italic* work inside a line;
- plain text (summaries, questions, feedback…): line breaks and indentation are ignored.

A body is a list of `(kind, value)` pairs. Kinds: "heading", "text", "callout", "quiz",
"reflection". Quizzes and reflections carry a `key`: it makes their block id, which learners'
records point at, so keep it when you edit the text around it.

Writing for volunteers: plain, warm English in short sentences (many readers are not native
speakers), practical rather than clinical, and always clear about the limits of peer support.
"""

VOLUNTEER_EMAIL = "volunteer@example.org"

INDEX = {
    "title": "Courses",
    "slug": "courses",
    "intro": """
        Courses for peer supporters who accompany people facing online harassment and
        gender-based violence. Some are open: start them the day you sign up and go at your own
        pace. Others are followed with a cohort, with live sessions and trainers, and you work
        through the modules between sessions. All of them work on a slow connection, and many
        let you read their first module before you join.

        Each course tells you how long it takes, which languages it is available in, and which
        difficult subjects it covers, so you can prepare.
    """,
}

TOPICS = [
    {"name": "Feminist accompaniment", "slug": "feminist-accompaniment"},
    {"name": "Harassment response", "slug": "harassment-response"},
    {"name": "Digital security", "slug": "digital-security"},
    {"name": "Care for carers", "slug": "care-for-carers"},
    {"name": "Documentation", "slug": "documentation"},
]

HOW_TO_JOIN = """
    This course is followed with a cohort: you learn with other volunteers and trainers, with a
    live session every few weeks and the modules in between. If no cohort suits you yet, your
    helpline's coordinator can tell you when the next one opens.
"""

HOW_TO_JOIN_SELF_PACED = """
    You do not need a cohort: your progress is saved, so you can stop and come back on another
    day or from another device. If you would rather learn it with others, a cohort with live
    sessions teaches it too.
"""


# === Course 1: Feminist accompaniment ============================================================

WELCOME = {
    "slug": "welcome",
    "title": "Welcome: what it means to accompany",
    "summary": """
        What a peer supporter does and does not do, the feminist approach behind this work,
        and how the course works.
    """,
    "estimated_minutes": 20,
    "content_notes": "",
    "requires_previous": False,
    "required": True,
    "body": [
        ("heading", "Welcome"),
        (
            "text",
            """
            Thank you for being here. People who are harassed online often say that the worst
            part was feeling alone. Nobody believed them, or everybody had advice and nobody
            listened. As a peer supporter, you can change that.

            This course prepares you to *accompany* someone. To accompany is to walk next to a
            person for part of their way. You do not walk in front of them, and you do not
            carry them. They stay in charge of their own life and their own choices. You bring
            presence, information and care.
            """,
        ),
        ("heading", "What a peer supporter does"),
        (
            "text",
            """
            In feminist helplines and in the peer-support networks of online communities,
            supporters do similar things:

            - Listen to the person and believe them.
            - Help them understand what is happening and what their options are.
            - Help them document the abuse and report it, if they want to.
            - Help with first steps in digital security.
            - Connect them with other help: specialist services, legal help, health care, and
              trusted people in their own life.

            You also do something less visible. You remind the person that what happened is not
            their fault, and that they deserve support.
            """,
        ),
        ("heading", "What a peer supporter does not do"),
        (
            "text",
            """
            Peer support is valuable because it is *peer* support: one person next to another.
            It is not therapy, legal advice or an emergency service. You are not expected to:

            - diagnose anyone or treat trauma;
            - tell someone whether they have a legal case, or what the law says in their
              country;
            - investigate who is behind an attack, or confront the person who causes harm;
            - be available at any hour, or solve everything alone.

            When someone needs more than you can give, the caring thing is to help them reach
            the right people. Knowing your limits is a skill, not a failure. You will practise
            it in this course.
            """,
        ),
        (
            "callout",
            {
                "kind": "important",
                "title": "If someone is in danger right now",
                "text": """
                    If a person tells you they are in danger right now, or that they may hurt
                    themselves, follow your organisation's emergency procedure and contact your
                    coordinator. Peer support does not replace emergency services. Learn the
                    procedure before your first support conversation.
                """,
            },
        ),
        ("heading", "A feminist approach"),
        (
            "text",
            """
            Online harassment is not random. It falls hardest on women, on LGBTQIA+ people, on
            people of colour, and on anyone who speaks in public about their rights. Feminist
            accompaniment starts from this fact. In practice it means:

            - **Believing** people and taking their experience seriously.
            - **Respecting autonomy.** The person decides what happens next, even when you
              would decide differently.
            - **Looking at power.** Who is harmed, who benefits, and who is made to feel
              ashamed?
            - **Caring collectively.** No one should carry this work alone. That includes you.
            """,
        ),
        ("heading", "How this course works"),
        (
            "text",
            """
            The course has four modules. Follow them at your own pace, between the live
            sessions of your cohort. The pages work on a slow connection, and your progress is
            saved, so you can stop and come back on another day or from another device.

            Most modules end with a short quiz or a reflection. Quizzes help you check your
            understanding. The feedback on each answer explains the reasoning, and you can try
            again as many times as you like. Reflections are private: only you can read them,
            unless you choose to share one with your trainers.

            This first module has no activity. When you have read it, choose “Mark as done”.
            """,
        ),
        (
            "callout",
            {
                "kind": "self_care",
                "title": "Take care while you learn",
                "text": """
                    Some modules talk about violence and blame. They start with a content note,
                    and you can choose “Not now” and come back later: nothing is lost. If a
                    topic brings up your own experiences, that is normal. Take a break, talk to
                    someone you trust, or tell your trainer.
                """,
            },
        ),
    ],
}

LISTENING = {
    "slug": "listening-without-judgement",
    "title": "Listening without judgement",
    "summary": """
        Look, listen, link: how to make space for someone's story, the habits of active
        listening, and what gets in the way of it.
    """,
    "estimated_minutes": 40,
    "content_notes": "",
    "requires_previous": False,
    "required": True,
    "body": [
        ("heading", "Why listening comes first"),
        (
            "text",
            """
            When someone reaches out after being harassed, they are often tired, scared or
            angry. They may have told their story before and not been believed. The first
            thing they need is not a solution. It is to feel heard.

            Psychological first aid describes three simple actions: **look, listen and link**.

            - **Look**: check for safety and urgent needs. Is the person safe right now? Is the
              abuse still happening?
            - **Listen**: make space for the person to tell what happened, in their own way and
              in their own words.
            - **Link**: help them reach information, practical help and other services.

            This module is about listening. Linking comes later in the course.
            """,
        ),
        ("heading", "How to listen well"),
        (
            "text",
            """
            Active listening is a set of small habits. None of them is difficult, but they
            take practice.

            - **Give your attention.** Close other chats. If you support people by text, answer
              without long delays, and say so if you need a moment.
            - **Ask open questions.** “What happened?” or “How are you feeling about it?”
              invite a story. Questions that start with “why” can sound like blame, so avoid
              them.
            - **Reflect back.** Say in your own words what you heard: “So the messages started
              after your article, and now they arrive every day.” This shows you understood,
              and lets the person correct you.
            - **Name feelings gently.** “It sounds exhausting.” Let the person tell you if you
              got it wrong.
            - **Allow silence.** On a call, a pause can mean the person is thinking or feeling.
              You do not have to fill it.
            - **Use their words.** If the person says “my ex”, do not call him “your abuser”.
              If they do not call it harassment, you do not need to either. People name their
              experience in their own time.
            """,
        ),
        ("heading", "What gets in the way"),
        (
            "text",
            """
            Most of us learned to help by fixing things. In support work, some helpful
            instincts can hurt:

            - **Rushing to advice.** “You should just block him” may be right later. Said too
              early, it tells the person you were not really listening. Blocking can also make
              evidence disappear.
            - **Minimising.** “It's only the internet” or “Just ignore them” tells the person
              that their fear is not real. Online abuse has real effects on health, work and
              safety.
            - **Comparing.** “That happened to me too, and I…” moves the attention to you. Share
              your own story rarely, and only when it helps them.
            - **Doubting.** Many questions about details can feel like an interrogation. You are
              not a judge. You do not need proof to believe someone.
            - **Deciding for them.** Even with good intentions, taking over repeats what abuse
              does: it takes control away.
            """,
        ),
        (
            "callout",
            {
                "kind": "tip",
                "title": "Phrases that help",
                "text": """
                    - “Thank you for telling me.”
                    - “What you are feeling makes sense.”
                    - “This is not your fault.”
                    - “You decide what happens next. I can explain the options.”
                    - “Take your time. I'm here.”
                """,
            },
        ),
        ("heading", "Respecting choices"),
        (
            "text",
            """
            Sometimes a person will choose something you would not choose. They may want to
            stay on a platform where they are attacked, not report, or stay in contact with
            someone who hurt them. Your role is to make sure they have the information they
            need to decide, and then to respect the decision.

            You can share a worry honestly: “I'm worried about your safety while your address
            is public. Can we think about it together?” Then listen to the answer. People
            usually know their own situation better than anyone. They may have reasons you
            cannot see. And if things change, they can come back to the question with you.
            """,
        ),
        ("heading", "Listening across languages and cultures"),
        (
            "text",
            """
            You may support people from other countries, or in a language that is not your
            first. Check meaning instead of guessing: “When you say *they*, do you mean the
            group on the forum?” Do not assume what family, religion or community mean for the
            person. Ask what support looks like for them.

            If you cannot understand each other well enough in a shared language, say so
            kindly, and ask your coordinator for a supporter who speaks the person's language.
            """,
        ),
        (
            "quiz",
            {
                "key": "quiz",
                "title": "Check your understanding",
                "introduction": """
                    Four short questions about listening. Read the feedback on each answer: it
                    explains the reasoning. You can try again as often as you like.
                """,
                "pass_mark": 75,
                "questions": [
                    {
                        "type": "single_choice",
                        "text": """
                            A person writes: “I keep getting horrible messages since my post
                            went viral. I don't know what to do.” What is the best first
                            response?
                        """,
                        "options": [
                            (
                                "You should block everyone who sends them and take a break "
                                "from social media.",
                                False,
                                """
                                Advice this early can make the person feel unheard. Blocking
                                can also remove evidence they may want later. Listen first;
                                options come after.
                                """,
                            ),
                            (
                                "That sounds really frightening. Thank you for telling me. Can "
                                "you tell me a bit more about what is happening?",
                                True,
                                """
                                Yes. You acknowledge the feeling, thank them, and invite them to
                                tell their story with an open question.
                                """,
                            ),
                            (
                                "Why did you post something so personal in public?",
                                False,
                                """
                                A “why” question about their own actions suggests they caused
                                the abuse. The people who send the messages are responsible for
                                them.
                                """,
                            ),
                            (
                                "Don't worry, these things usually stop after a few days.",
                                False,
                                """
                                You cannot know this, and it minimises what they feel. False
                                reassurance can also stop people from asking for help later.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "multiple_choice",
                        "text": """
                            Which of these are part of active listening?
                        """,
                        "options": [
                            (
                                "Saying in your own words what you heard",
                                True,
                                "Yes. It shows you understood, and lets the person correct you.",
                            ),
                            (
                                "Allowing silence when the person needs time",
                                True,
                                "Yes. A pause gives space to think and feel. You don't need "
                                "to fill it.",
                            ),
                            (
                                "Telling a similar story from your own life, so they feel less "
                                "alone",
                                False,
                                """
                                Your own story moves the focus to you. Share it rarely, and
                                only when it clearly helps them.
                                """,
                            ),
                            (
                                "Using the words the person uses for their own experience",
                                True,
                                """
                                Yes. People name their experience in their own time. Using
                                their words shows respect.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "true_false",
                        "text": """
                            To support someone, you first need to be sure their story is true.
                        """,
                        "answer": False,
                        "feedback_true": """
                            Not quite. You are not a judge or an investigator. Believing people
                            is where accompaniment begins. If evidence is needed later, for a
                            report, you can help collect it then.
                        """,
                        "feedback_false": """
                            Right. You do not need proof to believe someone. Believing is where
                            support begins; documentation is a separate, practical step.
                        """,
                    },
                    {
                        "type": "single_choice",
                        "text": """
                            The woman you support decides not to report an account that
                            harasses her, although you think reporting would help. What do you
                            do?
                        """,
                        "options": [
                            (
                                "Report it yourself, since it is for her own good.",
                                False,
                                """
                                Acting without her consent takes control away from her, which
                                is what abuse does too. It can also put her at risk if the
                                harasser notices.
                                """,
                            ),
                            (
                                "Share your concern honestly, make sure she knows the options, "
                                "and respect her decision.",
                                True,
                                """
                                Yes. You give information and your honest view; she decides.
                                You can come back to the question later if things change.
                                """,
                            ),
                            (
                                "Tell her you cannot support her unless she reports.",
                                False,
                                """
                                Support should not depend on doing what you think is best.
                                People have many reasons not to report, including fear of
                                retaliation.
                                """,
                            ),
                        ],
                    },
                ],
            },
        ),
        (
            "reflection",
            {
                "key": "reflection",
                "prompt": """
                    Think of a time when you told someone about a problem and felt truly
                    listened to. What did the other person do, or not do? What would you like to
                    bring from that moment into your support work?
                """,
                "guidance": """
                    This reflection is optional. There is no right answer, and a few sentences
                    are enough. It stays private unless you choose to share it with your
                    trainers.
                """,
                "required": False,
            },
        ),
    ],
}

BLAME = {
    "slug": "defusing-blame",
    "title": "Defusing blame",
    "summary": """
        Why people who are harassed are so often blamed, what victim-blaming sounds like, and
        how to take the weight of blame off someone without arguing with their feelings.
    """,
    "estimated_minutes": 45,
    "content_notes": """
        This module discusses victim-blaming and shame after online abuse. It includes short
        examples of blaming comments that people receive, including about intimate images.
    """,
    "requires_previous": True,
    "required": True,
    "body": [
        ("heading", "Where blame comes from"),
        (
            "text",
            """
            After online abuse, many people blame themselves. “I shouldn't have posted that.”
            “I should have known he would share the photos.” “If I hadn't argued with them, this
            wouldn't have happened.”

            Others blame them too: family, colleagues, the police, sometimes other members of
            their community. Blame is one of the most painful parts of the experience. It can
            stop people from asking for help. And it keeps attention away from the person who
            chose to cause harm.

            Blame does not come from nowhere. Many societies teach that women and
            gender-diverse people are responsible for the violence they face: because of what
            they wore, said, shared or believed. Online, the same idea appears as “you put
            yourself out there” or “what did you expect?”.
            """,
        ),
        ("heading", "What victim-blaming sounds like"),
        (
            "text",
            """
            Victim-blaming is not always cruel or obvious. Often it comes from people who want
            to help. It can sound like:

            - “Why did you send him those photos?”
            - “Maybe you should stop writing about such controversial topics.”
            - “You need a thicker skin if you want to be online.”
            - “Why didn't you report it earlier?”
            - “Just close your account.”

            Each of these puts the responsibility on the person who was harmed. Each suggests
            that if they had behaved differently, they would be safe. That is not true. People
            are harassed for many reasons, and the choice to harass belongs to the harasser.
            """,
        ),
        (
            "callout",
            {
                "kind": "important",
                "title": "Responsibility is clear",
                "text": """
                    The person who harasses, threatens or shares images without consent is
                    responsible for that choice. Sharing an intimate image with a partner,
                    speaking in public, or being visible online is never an invitation to abuse.
                """,
            },
        ),
        ("heading", "Defusing blame in a conversation"),
        (
            "text",
            """
            You cannot remove shame with one sentence. But you can stop adding to it, and
            gently offer another way of seeing things.

            1. **Notice it.** Listen for “I should have”, “it's my fault”, “I was stupid”.
            2. **Don't argue.** “No, that's wrong!” can feel like you are not listening.
               Acknowledge the feeling first.
            3. **Name who is responsible.** Say clearly who made the choice to cause harm.
            4. **Normalise the reaction.** Self-blame is very common after abuse. It is often a
               way of looking for control in a situation that felt out of control.
            5. **Turn to what is possible now**, without suggesting they should have done it
               before.

            For example, a person says: “I feel so stupid. I trusted him with those pictures.”

            You might answer: “It makes sense that you feel this way. Many people do. You
            trusted someone you were in a relationship with, and he chose to break that trust.
            What he did is the problem, not the fact that you trusted him. Would it help to look
            together at what we can do about the images now?”
            """,
        ),
        ("heading", "Watching your own words"),
        (
            "text",
            """
            All of us have learned some blaming ideas. They can slip into our questions without
            us noticing. A few habits help:

            - Ask “what happened?” instead of “why did you…?”.
            - When you give safety advice, make clear it is about the future, not the past:
              “Some people find it helps to…” rather than “You should have…”.
            - Avoid talking about “risky behaviour”. Talk about the risks created by the people
              who cause harm.
            - If you notice you said something blaming, repair it simply: “I'm sorry, that came
              out wrong. This is not your fault.”
            """,
        ),
        ("heading", "When the community blames"),
        (
            "text",
            """
            In online communities, blame can be collective. People may say the target
            “started it”, or that reporting harassment is “drama” that hurts the project. This
            isolates the person even more.

            You cannot control the community. But in your support you can be clear that
            speaking up is legitimate. And when you see a pattern of blame, tell your
            coordinator, so that people with the role to address it can do so.
            """,
        ),
        (
            "callout",
            {
                "kind": "self_care",
                "title": "If this feels close",
                "text": """
                    Reading about blame can bring back moments when you were blamed, or blamed
                    yourself. That is a normal reaction. Pause if you need to. You can leave this
                    module and come back later; your place is kept.
                """,
            },
        ),
        (
            "quiz",
            {
                "key": "quiz",
                "title": "Check your understanding",
                "introduction": "Three questions about blame and how to respond to it.",
                "pass_mark": 60,
                "questions": [
                    {
                        "type": "multiple_choice",
                        "text": """
                            Which of these statements put responsibility on the person who was
                            harmed?
                        """,
                        "options": [
                            (
                                "“You need a thicker skin to be online.”",
                                True,
                                """
                                Yes. It suggests the problem is the person's sensitivity, not
                                the abuse.
                                """,
                            ),
                            (
                                "“Why didn't you report it earlier?”",
                                True,
                                """
                                Yes. Even asked kindly, it suggests they did something wrong.
                                People wait to report for many good reasons, including fear and
                                exhaustion.
                                """,
                            ),
                            (
                                "“The person who shared your photos chose to break your trust.”",
                                False,
                                """
                                This one does not blame. It names who is responsible for the
                                harm.
                                """,
                            ),
                            (
                                "“Maybe stop writing about such topics for a while.”",
                                True,
                                """
                                Yes. It suggests that speaking in public caused the abuse. A
                                person may choose to step back, but that is their decision, not
                                a condition for being safe.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "single_choice",
                        "text": """
                            Someone says: “It's my fault. I shouldn't have argued with them in
                            the comments.” What is the most helpful response?
                        """,
                        "options": [
                            (
                                "“Yes, arguing online never helps. Next time just ignore them.”",
                                False,
                                """
                                This confirms the blame and gives advice about the past. The
                                person already feels bad; this adds to it.
                                """,
                            ),
                            (
                                "“That's not true at all, stop saying that!”",
                                False,
                                """
                                You mean well, but arguing with a feeling can make the person
                                feel unheard. Acknowledge the feeling first.
                                """,
                            ),
                            (
                                "“Many people feel that way after an attack. Disagreeing with "
                                "someone is no reason to be abused. The people sending threats "
                                "chose to do that.”",
                                True,
                                """
                                Yes. You acknowledge the feeling, say that it is common, and
                                place responsibility on the people causing harm.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "true_false",
                        "text": """
                            If you notice you said something that sounded blaming, it is better
                            not to mention it, so the conversation doesn't become awkward.
                        """,
                        "answer": False,
                        "feedback_true": """
                            Not quite. A short, honest repair, like “I'm sorry, that came out
                            wrong. This is not your fault”, rebuilds trust. If you ignore it, the
                            person may be left with the blame.
                        """,
                        "feedback_false": """
                            Right. A repair is simple and helps: “I'm sorry, that came out wrong.
                            This is not your fault.” Everyone makes mistakes; what matters is
                            noticing them.
                        """,
                    },
                ],
            },
        ),
        (
            "reflection",
            {
                "key": "reflection",
                "prompt": """
                    Think of a blaming idea about online abuse that you have heard often, or
                    that you once believed yourself. Where do you think it comes from? How would
                    you answer it now, in a way that is kind to the person who is hurting?
                """,
                "guidance": """
                    Be gentle with yourself. Noticing these ideas is part of the work, for
                    everyone. Your reflection stays private unless you choose to share it.
                """,
                "required": True,
            },
        ),
    ],
}

BOUNDARIES = {
    "slug": "boundaries-and-limits",
    "title": "Boundaries and the limits of peer support",
    "summary": """
        Boundaries of time, role and confidentiality, what to do in an emergency, and how to
        refer someone on with care.
    """,
    "estimated_minutes": 45,
    "content_notes": """
        This module mentions emergencies, including the risk that someone may harm themselves,
        in general terms.
    """,
    "requires_previous": False,
    "required": True,
    "body": [
        ("heading", "Boundaries are a form of care"),
        (
            "text",
            """
            Boundaries are the limits that make support safe and sustainable. They protect the
            person you support, who knows what to expect and what not to expect. They protect
            you, so that you can keep doing this work without burning out. And they protect the
            trust that helplines and networks have built over years.

            Boundaries are not coldness. A clear “I can talk until six, and then I need to
            stop” is more caring than a promise to always be there that you cannot keep.
            """,
        ),
        ("heading", "Time and availability"),
        (
            "text",
            """
            - Say at the start when and how you are available.
            - Use the channels your organisation provides. Do not give your personal phone
              number or your personal social media accounts.
            - If you need to end a conversation, say so before the end: “We have about ten
              minutes left. What would be most useful to look at?”
            - Tell the person what happens next, and how to reach the helpline or network when
              you are not available.
            - When you are tired, ill or going through something hard, set your availability to
              “paused”. Someone else can help.
            """,
        ),
        ("heading", "Your role"),
        (
            "text",
            """
            Remember what peer support is not: therapy, legal advice, investigation or
            emergency response. Some requests will fall outside your role:

            - “Can you tell me if I can sue them?” You can help find legal help, but you do not
              give legal advice.
            - “Can you find out who is behind this account?” Investigating or exposing people
              can put everyone at risk, and can be illegal. Bring it to your coordinator.
            - “Please don't tell anyone, but I don't want to be alive any more.” This needs
              your organisation's emergency procedure, now.

            Saying “that's not something I can do, but here is who can” keeps the person
            connected to help.
            """,
        ),
        (
            "callout",
            {
                "kind": "important",
                "title": "Emergencies",
                "text": """
                    If someone is in immediate danger, or tells you they may harm themselves, do
                    not handle it alone. Follow your organisation's emergency procedure, stay
                    with the person if you can, and contact your coordinator. Know the procedure
                    before your first support conversation.
                """,
            },
        ),
        ("heading", "Confidentiality and its limits"),
        (
            "text",
            """
            People share things with you that they may not have told anyone. Protect that trust:

            - Share case information only with the people in your organisation who need it,
              and only through the channels your organisation uses.
            - Never talk about cases on public social media, in community channels, or with
              friends. Even without names, details can identify someone.
            - Do not keep screenshots or notes about a case on your personal devices, unless
              your organisation has agreed how to store them safely.
            - Be honest about the limits of confidentiality at the start. For example, your
              organisation may contact emergency services if someone's life is in danger. Say
              this simply, before the person tells you everything.
            """,
        ),
        ("heading", "Referring on"),
        (
            "text",
            """
            Referral is not “passing someone on”. Done well, it is a warm handover. The person
            knows why you suggest another service, what will happen there, and that they can
            come back to you.

            - **Explain why**: “What you describe needs someone who knows the law in your
              country.”
            - **Ask for consent** before you share any of their information.
            - **Give concrete information**: who, how to contact them, what to expect.
            - **Follow up**, if your organisation's practice allows it: “Did you manage to reach
              them?”

            Common referrals are specialist services for safety planning, legal help,
            psychological support, health care and emergency services. Your organisation keeps
            a list of trusted contacts. Learn it, and tell your coordinator when a contact no
            longer works.
            """,
        ),
        (
            "callout",
            {
                "kind": "self_care",
                "title": "Your own boundaries matter too",
                "text": """
                    Notice when a case stays with you after the conversation ends. It is a sign
                    to talk to your trainer or peer group, not a sign that you are weak. The
                    course “Secondary trauma and care” goes deeper into this.
                """,
            },
        ),
        (
            "quiz",
            {
                "key": "quiz",
                "title": "Boundaries in practice",
                "introduction": "Three situations. Choose what you would do.",
                "pass_mark": 60,
                "questions": [
                    {
                        "type": "single_choice",
                        "text": """
                            A woman you support asks for your personal phone number, so she can
                            reach you at night. What do you do?
                        """,
                        "options": [
                            (
                                "Give it to her: she is in a hard moment and needs you.",
                                False,
                                """
                                Your care is real, but a personal number blurs your role and
                                cannot be sustained. It can also expose you: supporters are
                                targets too.
                                """,
                            ),
                            (
                                "Explain kindly that you can't, tell her how and when to reach "
                                "the helpline, and check whether she has other support for the "
                                "night.",
                                True,
                                """
                                Yes. You keep the boundary and still make sure she knows where
                                help is. If she is at risk at night, involve your coordinator
                                or specialist services.
                                """,
                            ),
                            (
                                "Don't answer the question, and change the subject.",
                                False,
                                """
                                Avoiding the question can feel like rejection. A clear, kind
                                explanation is more respectful.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "multiple_choice",
                        "text": """
                            Which of these are reasons to refer someone on?
                        """,
                        "options": [
                            (
                                "They want to know if they can take legal action.",
                                True,
                                """
                                Yes. Legal questions need someone who knows the law where the
                                person lives.
                                """,
                            ),
                            (
                                "They tell you they are thinking about ending their life.",
                                True,
                                """
                                Yes, and urgently: follow your emergency procedure and involve
                                your coordinator.
                                """,
                            ),
                            (
                                "They cry during the conversation.",
                                False,
                                """
                                Crying is a normal reaction to a hard situation. On its own it
                                does not mean someone needs another service. Stay present.
                                """,
                            ),
                            (
                                "They need a safety plan because the person harassing them knows "
                                "where they live.",
                                True,
                                """
                                Yes. Safety planning when there is a physical risk belongs with
                                specialists who do it every day.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "true_false",
                        "text": """
                            Promising to keep everything a person tells you secret, in every
                            situation, is the most respectful approach.
                        """,
                        "answer": False,
                        "feedback_true": """
                            Not quite. Confidentiality is essential, but it has limits, for
                            example when a life is at risk. Explaining those limits at the start
                            is more honest than promising total secrecy.
                        """,
                        "feedback_false": """
                            Right. Confidentiality matters a lot, but it has limits. Be honest
                            about them at the start, so nobody feels betrayed later.
                        """,
                    },
                ],
            },
        ),
        (
            "reflection",
            {
                "key": "reflection",
                "prompt": """
                    Which boundary do you expect to be hardest for you to keep: time, role or
                    confidentiality? What could help you keep it?
                """,
                "guidance": """
                    Think of a concrete situation. It can help to write down a sentence you
                    could say when the moment comes.
                """,
                "required": True,
            },
        ),
    ],
}

PRACTICE = {
    "slug": "practice-with-interactive-exercises",
    "title": "Practice: interactive exercises",
    "summary": """
        Two short interactive exercises, to see how H5P activities work in a module: your
        answers count towards completion, and you can pick up where you left off.
    """,
    "estimated_minutes": 10,
    "content_notes": "",
    "requires_previous": False,
    "required": False,
    "body": [
        ("heading", "Interactive exercises"),
        (
            "text",
            """
            Trainers can build exercises in H5P, a free tool for interactive content: scenario
            questions, drag the words, question sets. This module shows two sample exercises.
            They are not about accompaniment; they show how exercises behave here.

            - Your answers are sent with your account. If the connection drops, they wait on
              this device and are sent when it is back.
            - If you leave an exercise halfway, it opens where you were next time.
            """,
        ),
        (
            "callout",
            {
                "kind": "tip",
                "title": "How these exercises count",
                "text": """
                    The true-or-false question counts when you answer it. The question set
                    counts when you reach its results screen, not after each question.
                """,
            },
        ),
        ("h5p", {"key": "true-false", "required": True}),
        ("h5p", {"key": "question-set", "required": True}),
    ],
}


FEMINIST_ACCOMPANIMENT = {
    "slug": "feminist-accompaniment",
    "title": "Feminist accompaniment",
    "summary": """
        The foundations of peer support: listening without judgement, taking blame off the
        person who was harmed, and keeping clear boundaries, so that you can support others
        well for a long time.
    """,
    "learning_outcomes": [
        "Describe what a peer supporter does, and what is outside the role.",
        "Listen to someone without judging, rushing or taking over their decisions.",
        "Recognise victim-blaming, including in your own words, and respond to it.",
        "Set and explain boundaries of time, role and confidentiality.",
        "Refer someone on with care when their needs go beyond peer support.",
    ],
    "estimated_hours": "2.5",
    "topics": ["feminist-accompaniment"],
    "content_notes": """
        This course talks about gender-based violence and online abuse in general terms, and
        about blame and shame. It includes short examples of what people who are harassed are
        told. It does not describe violence in detail.
    """,
    "how_to_join": HOW_TO_JOIN,
    "free_preview": True,
    "languages": ["en", "es"],
    "prerequisites": [],
    "modules": [WELCOME, LISTENING, BLAME, BOUNDARIES, PRACTICE],
}


# === Course 2: Secondary trauma and care =========================================================

WHAT_IT_DOES = {
    "slug": "what-accompanying-does-to-us",
    "title": "What accompanying does to us",
    "summary": """
        Secondary traumatic stress, vicarious trauma, compassion fatigue and burnout in simple
        words, and why online harassment work makes them more likely.
    """,
    "estimated_minutes": 35,
    "content_notes": """
        This module discusses the emotional effects of hearing repeated accounts of violence
        and abuse, and of looking at abusive content.
    """,
    "requires_previous": False,
    "required": True,
    "body": [
        ("heading", "Listening has an effect"),
        (
            "text",
            """
            When you accompany people facing abuse, you hear about threats, humiliation and
            fear. You see screenshots of hateful messages. Sometimes you read them many times,
            to document them. Even if none of it was aimed at you, it affects you.

            This is not a sign that you are not strong enough. It is a normal human response to
            being close to other people's pain. Everyone who does this work is affected in some
            way. Knowing this in advance helps you notice it early, and take care of it with
            others.
            """,
        ),
        ("heading", "Some words, in simple terms"),
        (
            "text",
            """
            Different words describe different ways this work can affect us. You do not need to
            use them like a clinician. They help to name what you notice.

            - **Secondary traumatic stress**: reactions similar to trauma, caused by hearing
              about or seeing the trauma of others. For example, images from a case that come
              back when you don't want them, or feeling constantly on alert.
            - **Vicarious trauma**: a slower change in how you see the world, after repeated
              exposure. For example, starting to feel that nobody is safe online, or losing
              trust in people.
            - **Compassion fatigue**: feeling emotionally exhausted by caring, and less able to
              feel empathy.
            - **Burnout**: exhaustion that comes from the workload and the conditions of the
              work: too many cases, too little support, unclear roles. Burnout is about how the
              work is organised as much as about the person.

            These often overlap. The label matters less than noticing changes and responding to
            them.
            """,
        ),
        ("heading", "Why online harassment work is different"),
        (
            "text",
            """
            Some things about this work make secondary trauma more likely:

            - **The content is harsh and repetitive.** Documenting abuse means reading, saving
              and describing harmful content, sometimes hundreds of messages.
            - **Attacks can be ongoing.** The person you support may be attacked again while you
              talk. There is no clear end.
            - **It is close to home.** Many supporters belong to the same communities as the
              people they support. You may know the people involved, or be a target yourself.
            - **You use the same tools.** The phone and apps where you see the abuse are the
              ones you use for your own life. It is hard to leave the work behind.
            - **Outcomes are uncertain.** Platforms may not act. Justice may not come. Feeling
              powerless is heavy.
            """,
        ),
        (
            "callout",
            {
                "kind": "tip",
                "title": "Less exposure while documenting",
                "text": """
                    - Look at harmful images only as long as you need to. If your tools allow
                      it, blur or shrink them while you work.
                    - Work on evidence in planned blocks of time, not in bed or late at night.
                    - Turn off notifications for case channels outside your hours.
                    - Share heavy documentation work with a colleague when you can.
                """,
            },
        ),
        ("heading", "It is not only personal"),
        (
            "text",
            """
            Feminist organisations have long said that care is political. If a helpline or
            network asks volunteers to carry unlimited cases with no debriefing, burnout is the
            expected result, not a personal failure. Good organisations plan for secondary
            trauma: they limit case loads, offer supervision, make it normal to pause, and
            check in with volunteers.

            In this course you look at both sides: what you can do for yourself, and what we
            do together.
            """,
        ),
        (
            "callout",
            {
                "kind": "self_care",
                "title": "Take a breath",
                "text": """
                    If you recognised yourself in this module, you are not alone. Many
                    experienced supporters know these reactions well. Take a short pause before
                    the quiz: stand up, drink some water, look out of a window.
                """,
            },
        ),
        (
            "quiz",
            {
                "key": "quiz",
                "title": "Check your understanding",
                "introduction": "Three questions about how this work can affect us.",
                "pass_mark": 60,
                "questions": [
                    {
                        "type": "single_choice",
                        "text": "Which description best fits vicarious trauma?",
                        "options": [
                            (
                                "Feeling tired after a long day of support work.",
                                False,
                                """
                                Tiredness after hard work is normal, and passes with rest.
                                Vicarious trauma is a deeper, slower change.
                                """,
                            ),
                            (
                                "A slow change in how you see the world, like losing trust in "
                                "people, after repeated exposure to other people's trauma.",
                                True,
                                """
                                Yes. Vicarious trauma builds up over time and changes what you
                                believe about safety, trust and the world.
                                """,
                            ),
                            (
                                "Exhaustion caused mainly by too many cases and unclear roles.",
                                False,
                                """
                                That describes burnout, which is closely linked to how the work
                                is organised.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "multiple_choice",
                        "text": """
                            Which features of online harassment work make secondary trauma more
                            likely?
                        """,
                        "options": [
                            (
                                "Reading and saving many harmful messages to document abuse",
                                True,
                                "Yes. Repeated exposure to abusive content is a major factor.",
                            ),
                            (
                                "Using the same phone and apps for the work and for your "
                                "personal life",
                                True,
                                "Yes. It makes it harder to separate work time from rest.",
                            ),
                            (
                                "Working with a clear limit on the number of cases",
                                False,
                                """
                                A clear limit on cases protects you. It is a protection, not a
                                risk.
                                """,
                            ),
                            (
                                "Attacks that continue while you are supporting someone",
                                True,
                                """
                                Yes. When there is no clear end, it is hard to stop feeling on
                                alert.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "true_false",
                        "text": """
                            If the work affects you emotionally, you are probably not suited to
                            be a peer supporter.
                        """,
                        "answer": False,
                        "feedback_true": """
                            Not quite. Being affected is a normal human response, and everyone
                            who does this work experiences it in some way. The skill is to
                            notice it and respond with care, together with others.
                        """,
                        "feedback_false": """
                            Right. Being affected is normal. What matters is noticing it early,
                            and having support around you.
                        """,
                    },
                ],
            },
        ),
    ],
}

RECOGNISING = {
    "slug": "recognising-it-in-yourself",
    "title": "Recognising secondary trauma in yourself",
    "summary": """
        Early signs in your body, feelings, thoughts and relationships; your own history; and a
        short check-in to use after each support conversation.
    """,
    "estimated_minutes": 40,
    "content_notes": """
        This module asks you to think about how hearing about violence and abuse affects you.
        It may bring up your own experiences, and it mentions thoughts of self-harm.
    """,
    "requires_previous": False,
    "required": True,
    "body": [
        ("heading", "Signs come in many forms"),
        (
            "text",
            """
            Secondary trauma rarely arrives all at once. It shows up in small changes that are
            easy to explain away: “I'm just busy”, “everyone is tired”. Learning your own early
            signs is one of the most protective things you can do.

            Signs can appear in different parts of life. You will not have all of them. Having
            some does not mean something is wrong with you. They are signals to pay attention
            to.
            """,
        ),
        ("heading", "In your body"),
        (
            "text",
            """
            - Trouble falling asleep, or waking up thinking about a case.
            - Headaches, tense shoulders, stomach problems.
            - Feeling tired even after rest.
            - Being easily startled, for example by a notification sound.
            """,
        ),
        ("heading", "In your feelings and thoughts"),
        (
            "text",
            """
            - Images or words from a case that come back when you don't want them.
            - Feeling numb, or more irritable, sad or angry than usual.
            - Feeling that nobody is safe, or that the internet is only a dangerous place.
            - Feeling guilty when you rest, or feeling that you never do enough.
            - Thinking that only you can help a person, and that everything depends on you.
            """,
        ),
        ("heading", "In what you do and in your relationships"),
        (
            "text",
            """
            - Checking messages from the helpline all the time, also on your days off.
            - Avoiding cases, or avoiding the subject completely.
            - Pulling away from friends and family, or feeling that they cannot understand.
            - Using alcohol, food, screens or other things more than usual to switch off.
            - Becoming very suspicious of people, or very anxious about your own online safety.
            - Losing interest in things you used to enjoy.
            """,
        ),
        (
            "callout",
            {
                "kind": "important",
                "title": "When to ask for more help",
                "text": """
                    If these signs last for weeks, get worse, or make daily life hard, talk to
                    your coordinator and think about professional support. If you have thoughts
                    of harming yourself, contact emergency services or a crisis line in your
                    country now. We ask the people we support to reach out for help; the same is
                    true for us.
                """,
            },
        ),
        ("heading", "Your own history"),
        (
            "text",
            """
            Many people come to this work because they lived through violence themselves, or
            saw someone close to them go through it. That experience can be a source of deep
            empathy. It can also mean that some cases touch old wounds.

            You do not need to share your history with anyone. But it helps to know, for
            yourself, which situations are hard for you. Then you can prepare, ask a colleague
            to take certain cases, or plan extra care after them. Saying “I'm not the right
            person for this case” is a responsible choice.
            """,
        ),
        ("heading", "A short check-in"),
        (
            "text",
            """
            Try a short check-in at the end of each shift or support conversation. Ask
            yourself:

            1. How does my body feel right now?
            2. What is the strongest feeling I have?
            3. Is any part of this conversation staying with me?
            4. What do I need before I go on with my day?

            Answer honestly, without judging yourself. Over time you will see patterns. Some
            people write a few words in a notebook; others choose a colour, or a number from 1
            to 10. Use what works for you.
            """,
        ),
        (
            "callout",
            {
                "kind": "self_care",
                "title": "Be kind to yourself",
                "text": """
                    Reading a list of signs can be uncomfortable, especially if you recognise
                    many of them. That is useful information, not a verdict. Take it to someone
                    you trust, or to your peer group.
                """,
            },
        ),
        (
            "reflection",
            {
                "key": "reflection",
                "prompt": """
                    What are two or three early signs that tell you that support work is
                    starting to affect you? Think of your body, your feelings and what you do.
                    Who could you tell when you notice them?
                """,
                "guidance": """
                    This is private. You don't need to write about any case, or about your own
                    history, unless you want to. Naming your signs now makes them easier to
                    notice later.
                """,
                "required": True,
            },
        ),
        (
            "quiz",
            {
                "key": "quiz",
                "title": "Check your understanding",
                "introduction": "Three questions about noticing signs and acting on them.",
                "pass_mark": 60,
                "questions": [
                    {
                        "type": "multiple_choice",
                        "text": """
                            Which of these can be signs of secondary trauma?
                        """,
                        "options": [
                            (
                                "Waking up at night thinking about a case",
                                True,
                                "Yes. Sleep problems and unwanted thoughts are common signs.",
                            ),
                            (
                                "Feeling guilty whenever you rest",
                                True,
                                """
                                Yes. Feeling that you never do enough is a common sign, and a
                                risk for burnout.
                                """,
                            ),
                            (
                                "Checking helpline messages on your days off",
                                True,
                                """
                                    Yes. Not being able to switch off is a signal to pay attention
                                    to.
                                """,
                            ),
                            (
                                "Feeling sad after a hard conversation, and better after talking "
                                "to a colleague",
                                False,
                                """
                                This is a healthy reaction: you felt something, and you used
                                support. That is exactly how it should work.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "true_false",
                        "text": """
                            Asking not to take a case because it touches your own experience of
                            violence is a responsible decision.
                        """,
                        "answer": True,
                        "feedback_true": """
                            Right. Knowing your limits protects you and the person you support.
                            Tell your coordinator, so the case goes to someone else.
                        """,
                        "feedback_false": """
                            In fact, it is responsible. Knowing which cases are hard for you, and
                            saying so, protects you and the person you support.
                        """,
                    },
                    {
                        "type": "single_choice",
                        "text": """
                            For three weeks you have been sleeping badly and you feel numb after
                            support shifts. What is the best next step?
                        """,
                        "options": [
                            (
                                "Keep going; it will pass when there are fewer cases.",
                                False,
                                """
                                Waiting alone often makes things worse. Signs that last for
                                weeks deserve attention now.
                                """,
                            ),
                            (
                                "Talk to your coordinator or peer group, reduce or pause your "
                                "availability, and think about professional support.",
                                True,
                                """
                                Yes. Lasting signs are a signal to share the weight, change your
                                availability and get more support.
                                """,
                            ),
                            (
                                "Take on more cases, so that you get used to it.",
                                False,
                                """
                                More exposure does not protect you from secondary trauma. It
                                usually makes it deeper.
                                """,
                            ),
                        ],
                    },
                ],
            },
        ),
    ],
}

CARE_PRACTICES = {
    "slug": "care-practices",
    "title": "Care practices: individual and collective",
    "summary": """
        What you can do before, during and after support work, closing rituals, and the
        collective practices that make this work sustainable: debriefing, peer supervision,
        shared case loads and permission to pause.
    """,
    "estimated_minutes": 45,
    "content_notes": "",
    "requires_previous": False,
    "required": True,
    "body": [
        ("heading", "Care is part of the work"),
        (
            "text",
            """
            Care is not a reward for after the work is done. It is part of doing the work well.
            A supporter who is rested and supported listens better, makes fewer mistakes, and
            can stay longer.

            Care has two sides. **Individual care** is what you do for yourself. **Collective
            care** is what we do for each other, and how the organisation is set up. Both are
            needed. Individual care alone cannot fix a situation with too many cases and no
            support.
            """,
        ),
        ("heading", "Before a support conversation"),
        (
            "text",
            """
            - Check in with yourself: do I have the energy for this today? If not, it is fine to
              say so.
            - Prepare your space: a quiet place, water, and the information you may need.
            - Know your emergency procedure and your referral list, so that you don't carry the
              worry of not knowing.
            - Set an end time, and plan something for afterwards.
            """,
        ),
        ("heading", "During"),
        (
            "text",
            """
            - Notice your breathing and your body. Put your feet on the floor. Slow down.
            - You do not need to read every abusive message in full. Take what you need for the
              task.
            - If you feel overwhelmed, take a short pause: “Let me take a moment to look at this
              properly.”
            """,
        ),
        ("heading", "After: closing rituals"),
        (
            "text",
            """
            A small ritual helps your mind understand that the conversation is over. For
            example:

            - Write your case notes in the agreed place, then close the tool.
            - Wash your hands or face, change clothes, or step outside.
            - Move your body: stretch, walk, dance to one song.
            - Say to yourself: “I did what I could today. The rest is not mine to carry alone.”

            Try different things and keep what works. A ritual only needs a minute or two.
            """,
        ),
        ("heading", "Collective care"),
        (
            "text",
            """
            Collective care is what makes this work possible over years. Common practices in
            helplines and peer-support networks include:

            - **Debriefing**: a short conversation with a colleague or trainer after a hard
              case. The focus is on how you are and what you need, not on judging what you did.
            - **Peer supervision**: regular meetings where supporters talk through cases without
              identifying details, share doubts, and learn from each other.
            - **Shared case loads**: nobody carries a difficult case alone. Heavy tasks, like
              documenting a large attack, can be split.
            - **Permission to pause**: setting your availability to “paused” is normal and
              respected, for a week or for months.
            - **Check-ins**: coordinators ask volunteers how they are, not only how many cases
              they closed.
            - **Protecting supporters**: volunteers are not named in public, and the
              organisation has a plan for when a supporter is targeted.
            """,
        ),
        (
            "callout",
            {
                "kind": "tip",
                "title": "How to ask for a debrief",
                "text": """
                    Keep it simple: “I had a hard conversation today. Do you have fifteen
                    minutes to talk?” You don't need to wait for a crisis. Asking early is a
                    skill, and it helps others feel they can ask too.
                """,
            },
        ),
        ("heading", "Rest and joy"),
        (
            "text",
            """
            Rest is not laziness. Many feminist activists say that rest and joy are a form of
            resistance, because violence tries to take them away from us. Protect time away
            from screens. Keep doing the things that remind you who you are beyond this work:
            friends, music, cooking, nature, faith, art. These are not extras. They are what
            you come back to.
            """,
        ),
        (
            "callout",
            {
                "kind": "self_care",
                "title": "Start small",
                "text": """
                    You don't need a perfect routine. Choose one thing you will do after your
                    next support conversation, and one person you can call if it is hard.
                """,
            },
        ),
        (
            "reflection",
            {
                "key": "reflection",
                "prompt": """
                    Write a short care plan for yourself. What will you do before, during and
                    after support work? Who is part of your collective care: people you can
                    debrief with, and people outside the work who help you rest?
                """,
                "guidance": """
                    Keep it realistic: small, concrete actions work better than big promises.
                    You can come back and change it at any time. It stays private unless you
                    choose to share it with your trainers.
                """,
                "required": True,
            },
        ),
        (
            "quiz",
            {
                "key": "quiz",
                "title": "Check your understanding",
                "introduction": "Three questions about care practices.",
                "pass_mark": 60,
                "questions": [
                    {
                        "type": "single_choice",
                        "text": "What is the main purpose of a debrief after a difficult case?",
                        "options": [
                            (
                                "To check whether you followed the procedure correctly.",
                                False,
                                """
                                Reviewing practice has its place, in supervision. A debrief is
                                first about how you are and what you need.
                                """,
                            ),
                            (
                                "To put down some of the weight of the case, with support, and "
                                "see what you need now.",
                                True,
                                """
                                Yes. A debrief helps you process what you heard, so that you
                                don't carry it alone.
                                """,
                            ),
                            (
                                "To tell all the details of the case, so that others know what "
                                "happened.",
                                False,
                                """
                                Share only what is needed, without identifying details. The
                                focus is on you, not on the story.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "multiple_choice",
                        "text": """
                            Which of these are examples of collective care?
                        """,
                        "options": [
                            (
                                "Regular peer supervision meetings",
                                True,
                                "Yes. Supporters learn, and share the weight, together.",
                            ),
                            (
                                "Two supporters sharing the documentation of a large attack",
                                True,
                                "Yes. Sharing heavy tasks reduces each person's exposure.",
                            ),
                            (
                                "A coordinator asking volunteers how they are, not only how many "
                                "cases they closed",
                                True,
                                "Yes. This is care built into how the organisation works.",
                            ),
                            (
                                "Going for a walk alone after a shift",
                                False,
                                """
                                This is a good individual care practice. Both kinds of care are
                                needed.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "true_false",
                        "text": """
                            If every volunteer takes good care of themselves, the organisation
                            does not need to limit case loads.
                        """,
                        "answer": False,
                        "feedback_true": """
                            Not quite. Individual care cannot make up for too many cases or too
                            little support. Organisations are responsible for setting limits
                            and offering supervision.
                        """,
                        "feedback_false": """
                            Right. Individual care matters, but burnout is often about workload
                            and support. Limits on cases are part of collective care.
                        """,
                    },
                ],
            },
        ),
    ],
}

GOING_FURTHER = {
    "slug": "going-further",
    "title": "Going further: care as a shared practice",
    "summary": """
        An optional reading: ideas about care from feminist movements, questions to bring to
        your team, and how to write a care agreement together.
    """,
    "estimated_minutes": 20,
    "content_notes": "",
    "requires_previous": False,
    "required": False,
    "body": [
        (
            "callout",
            {
                "kind": "tip",
                "title": "An optional module",
                "text": """
                    This module does not count towards completing the course. Read it when you
                    have the time and energy. The reflection at the end is optional too. Choose
                    “Mark as done” when you have finished, if you like.
                """,
            },
        ),
        ("heading", "Ideas to explore"),
        (
            "text",
            """
            Feminist movements have thought about care for a long time. Here are some ideas you
            may meet in readings and conversations:

            - **Care is political.** Who does care work, and who is expected to do it for free,
              is shaped by gender, race and class. Volunteer support work is part of this
              history. Valuing it means also asking what volunteers need.
            - **Collective care.** Wellbeing is not only a personal responsibility. Groups can
              build routines, agreements and budgets that protect everyone.
            - **Sustainable activism.** Movements last when people can stay in them for years.
              Rest, rotating roles and celebrating are part of strategy.
            - **Digital care.** Our devices carry both the work and our private lives. Deciding
              when and where you can be reached is a form of care, and of security.

            You do not need to read theory to practise any of this. Many teams start with one
            habit, like a short check-in at the start of every meeting, and build from there.
            What matters is that care is planned and shared, not left to each person alone.
            """,
        ),
        ("heading", "Questions to bring to your team"),
        (
            "text",
            """
            You might use some of these questions in a peer supervision meeting or a team call:

            1. How do we know when one of us is overloaded? What do we do then?
            2. What does a good debrief look like for us? Who can ask for one, and how?
            3. How do we make it normal to pause, without guilt?
            4. What do we do if one of us is targeted because of this work?
            5. How do we celebrate what we achieve, even when outcomes are uncertain?
            """,
        ),
        ("heading", "A care agreement"),
        (
            "text",
            """
            Some teams write a short care agreement together. It can say:

            - how many cases one person holds at a time;
            - the hours when nobody is expected to answer messages;
            - how to ask for a debrief, and who can give one;
            - how to hand over a case when someone needs to pause;
            - what the team does when a supporter is attacked online;
            - how often the team checks in about wellbeing.

            A care agreement is a living document. Review it when the team or the work
            changes. Writing it together matters as much as what it says: it makes care a
            shared responsibility, not a private struggle.
            """,
        ),
        (
            "callout",
            {
                "kind": "tip",
                "title": "Talk about it in your cohort",
                "text": """
                    If you would like to explore these questions with others, bring them to a
                    live session of your cohort. Your trainers can make space for them.
                """,
            },
        ),
        (
            "reflection",
            {
                "key": "reflection",
                "prompt": """
                    Which idea from this module would you like to bring to your team or your
                    cohort? What is one small step you could suggest?
                """,
                "guidance": "Optional. Write as much or as little as you like.",
                "required": False,
            },
        ),
    ],
}

SECONDARY_TRAUMA = {
    "slug": "secondary-trauma-and-care",
    "title": "Secondary trauma and care",
    "summary": """
        People who accompany others absorb some of the violence they hear about. Learn to
        recognise secondary trauma in yourself, and build individual and collective care
        practices, so that supporting others does not cost you your own wellbeing.
    """,
    "learning_outcomes": [
        "Explain secondary trauma, vicarious trauma, compassion fatigue and burnout simply.",
        "Recognise your own early signs of secondary trauma.",
        "Make a personal care plan for before, during and after support work.",
        "Take part in debriefing and peer supervision, and ask for support early.",
        "Explain why care is a collective and organisational responsibility.",
    ],
    "estimated_hours": "2.5",
    "topics": ["care-for-carers", "feminist-accompaniment"],
    "content_notes": """
        This course talks about the emotional effects of hearing about violence and abuse. It
        does not describe violence in detail, but it may bring up your own experiences.
    """,
    "how_to_join": HOW_TO_JOIN_SELF_PACED,
    # The demo's open course: anyone signed in starts it alone, the day they sign up.
    "self_paced": True,
    "free_preview": True,
    "languages": ["en"],
    "prerequisites": [],
    "modules": [WHAT_IT_DOES, RECOGNISING, CARE_PRACTICES, GOING_FURTHER],
}


# === Course 3: Responding to online harassment ===================================================

UNDERSTANDING = {
    "slug": "understanding-online-harassment",
    "title": "Understanding online harassment",
    "summary": """
        Common forms of online harassment and technology-facilitated gender-based violence, how
        to understand someone's situation, and signs of higher risk.
    """,
    "estimated_minutes": 35,
    "content_notes": """
        This module describes forms of online abuse, including threats, doxxing, stalking and
        the non-consensual sharing of intimate images.
    """,
    "requires_previous": False,
    "required": True,
    "body": [
        ("heading", "What we mean by online harassment"),
        (
            "text",
            """
            Online harassment is repeated or severe behaviour, through digital technology, that
            aims to frighten, shame, silence or control a person. When it targets people because
            of their gender or sexuality, or uses gender to hurt them, we call it
            **technology-facilitated gender-based violence**.

            It is not “less real” because it happens online. It affects health, work,
            relationships and safety. It often continues offline too. And it often comes from
            people the person knows: a former partner, a colleague, a member of their
            community.
            """,
        ),
        ("heading", "Common forms"),
        (
            "text",
            """
            You will meet many of these. Often several happen at the same time.

            - **Threats** of violence or sexual violence, or of harm to family. They may be
              direct, or presented as “jokes”.
            - **Abusive messages and hate speech**: insults and slurs, often about gender,
              sexuality, race, religion or disability.
            - **Coordinated attacks (pile-ons)**: many accounts attacking one person at once,
              sometimes organised in other spaces.
            - **Doxxing**: publishing private information, such as a home address, phone number
              or workplace, to expose the person to harm.
            - **Non-consensual sharing of intimate images**: sharing, or threatening to share,
              intimate photos or videos without consent. This includes images first shared with
              consent, and fake or manipulated images.
            - **Impersonation**: fake accounts in the person's name, used to damage their
              reputation or to contact people they know.
            - **Stalking and monitoring**: following someone's activity obsessively, tracking
              their location, or getting into their accounts or devices without consent.
            - **Account takeover**: someone else taking control of the person's email or social
              media accounts.
            - **Sextortion and blackmail**: demanding money, images or contact under threat.
            - **Mass false reporting**: reporting the person's accounts many times, to get them
              suspended.
            """,
        ),
        ("heading", "Understanding the whole situation"),
        (
            "text",
            """
            When someone comes for support, try to understand the situation, not only the
            latest message. Gentle questions can help:

            - What is happening, and since when?
            - Where is it happening: which platforms, apps or spaces?
            - Do you know, or suspect, who is behind it?
            - Is any of it happening offline too? Do they know where you live or work?
            - What have you already tried? What happened then?
            - What worries you most right now?

            The answers help you and the person see which steps make sense first. The last
            question is often the most important one. Start from what the person is most
            worried about.
            """,
        ),
        (
            "callout",
            {
                "kind": "important",
                "title": "Signs of higher risk",
                "text": """
                    Some situations need specialist help quickly: threats that include a home
                    address or specific plans; a current or former partner with a history of
                    violence; signs that the person's location is being tracked; threats that
                    involve children; or the person saying they feel unsafe at home. Follow
                    your organisation's procedure and involve your coordinator.
                """,
            },
        ),
        ("heading", "Who is targeted, and why it matters"),
        (
            "text",
            """
            Harassment is not equally shared. Women journalists, activists and politicians,
            LGBTQIA+ people, people of colour, and people who speak about gender are targeted
            more often and more violently. In online communities, people who take visible
            roles are often attacked: moderators, people who write about certain topics, people
            who report problems.

            This matters for support. The person may be attacked because of who they are and
            what they do. Staying visible is often part of their work or their activism. Our
            aim is to help them continue as safely as possible, not to make them disappear.
            """,
        ),
        (
            "callout",
            {
                "kind": "self_care",
                "title": "A heavy list",
                "text": """
                    Reading about all these forms of abuse together can be a lot. Take a pause
                    before the quiz if you need one. You can leave the module and come back;
                    your place is kept.
                """,
            },
        ),
        (
            "quiz",
            {
                "key": "quiz",
                "title": "Check your understanding",
                "introduction": "Four questions about forms of harassment and risk.",
                "pass_mark": 75,
                "questions": [
                    {
                        "type": "single_choice",
                        "text": """
                            Someone publishes a woman's home address in a forum thread where
                            people are angry with her. What is this called?
                        """,
                        "options": [
                            (
                                "Impersonation",
                                False,
                                """
                                Impersonation means pretending to be someone, for example with a
                                fake account.
                                """,
                            ),
                            (
                                "Doxxing",
                                True,
                                """
                                Yes. Doxxing is publishing private information to expose someone
                                to harm. A published home address can be a sign of higher risk.
                                """,
                            ),
                            (
                                "Mass false reporting",
                                False,
                                """
                                That means reporting someone's accounts many times to get them
                                suspended.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "multiple_choice",
                        "text": """
                            Which of these can be signs of higher risk that need specialist
                            help?
                        """,
                        "options": [
                            (
                                "A threat that mentions the person's home address",
                                True,
                                "Yes. A threat linked to a real place can mean physical danger.",
                            ),
                            (
                                "A former partner with a history of violence is behind the abuse",
                                True,
                                """
                                Yes. Abuse from a current or former partner is often linked to
                                risk offline.
                                """,
                            ),
                            (
                                "Many rude comments under a post",
                                False,
                                """
                                This can be hurtful and exhausting, and it deserves support. On
                                its own, it is not usually a sign of physical danger.
                                """,
                            ),
                            (
                                "The person thinks their location is being tracked",
                                True,
                                "Yes. Possible tracking needs careful, specialist help.",
                            ),
                        ],
                    },
                    {
                        "type": "true_false",
                        "text": """
                            Sharing an intimate image without consent is only abuse if the image
                            was taken without consent.
                        """,
                        "answer": False,
                        "feedback_true": """
                            Not quite. Consent to take or send an image is not consent to share
                            it. Sharing it without consent is abuse, however the image was
                            made. Fake or manipulated images count too.
                        """,
                        "feedback_false": """
                            Right. Consent to take or send an image is not consent to share it.
                            Fake or manipulated images count too.
                        """,
                    },
                    {
                        "type": "single_choice",
                        "text": """
                            When someone first tells you about harassment, which question is
                            the most useful place to start?
                        """,
                        "options": [
                            (
                                "“What worries you most right now?”",
                                True,
                                """
                                Yes. Starting from the person's main worry puts them in charge,
                                and helps decide what to do first.
                                """,
                            ),
                            (
                                "“Have you tried deleting your account?”",
                                False,
                                """
                                This jumps to a solution. Deleting an account can also delete
                                evidence.
                                """,
                            ),
                            (
                                "“What did you post that made them so angry?”",
                                False,
                                """
                                This puts the focus on the person's behaviour, which can feel
                                like blame.
                                """,
                            ),
                        ],
                    },
                ],
            },
        ),
    ],
}

DOCUMENTING = {
    "slug": "documenting-abuse",
    "title": "Documenting abuse",
    "summary": """
        Why and how to keep a record of abuse: what to capture in screenshots, keeping an
        incident log, preserving evidence before blocking or reporting, and storing it safely.
    """,
    "estimated_minutes": 50,
    "content_notes": """
        This module describes how to save and record abusive content, including threats and
        intimate images, and talks about the stress of looking at it.
    """,
    "requires_previous": False,
    "required": True,
    "body": [
        ("heading", "Why documentation matters"),
        (
            "text",
            """
            Documentation means keeping a clear record of the abuse. It can help the person:

            - report to platforms, which often ask for links and screenshots;
            - escalate a report when the first one fails;
            - go to the police or a lawyer, if they decide to, now or later;
            - see patterns, for example that the same accounts keep coming back;
            - feel less confused, because the story is written down in one place.

            Documentation is the person's choice. Some people do not want to keep anything. You
            can explain why it may help later, and respect their decision.
            """,
        ),
        (
            "callout",
            {
                "kind": "important",
                "title": "Preserve before you block or report",
                "text": """
                    When an account is blocked, reported or removed, its messages may disappear,
                    for the person and for you. Before blocking, reporting, deleting or muting,
                    save what is needed. But if the person is in danger, safety comes first: do
                    not delay urgent steps to document.
                """,
            },
        ),
        ("heading", "What to capture"),
        (
            "text",
            """
            For each incident, try to capture:

            - **Screenshots** that show the content, the username, and the date and time.
              Include the context: the message it answered, or the post it appeared under.
            - **The URL** (web address) of the post, message or profile. Platforms often need
              it; a screenshot alone may not be enough.
            - **The account**: its username and profile URL, not only the display name, because
              display names can change.
            - **The date and time** it happened, and the time zone.
            - **The platform**, and where on it: a comment, a direct message, a group.

            For long conversations, take several overlapping screenshots so that nothing is
            missing. For videos or voice messages, note the link and describe briefly what is
            said. Some platforms also let people download a copy of their own data, which can
            be useful.
            """,
        ),
        ("heading", "Keeping an incident log"),
        (
            "text",
            """
            An incident log is a simple table, in a spreadsheet or a document, with one row for
            each incident. Useful columns are:

            1. Date and time, with the time zone
            2. Platform and place (for example, direct messages)
            3. Account: username and profile URL
            4. What happened, in a few neutral words
            5. Link to the content
            6. Name of the screenshot file
            7. Actions taken: reported? report number? answer?

            Keep descriptions short and factual. “Threat to publish home address” is enough.
            The person does not need to write down the worst words again and again; the
            screenshot holds them.
            """,
        ),
        ("heading", "Intimate images"),
        (
            "text",
            """
            Be very careful with intimate images. Do not ask the person to send them to you,
            and do not save copies yourself. In many places, keeping or sharing such images can
            itself be a crime, even when the purpose is to help. Note the link, the account and
            the date instead, and let the person decide what they keep.

            Many platforms have special reporting forms for intimate images. If the person in
            the images is under 18, follow your organisation's procedure immediately.
            """,
        ),
        ("heading", "Storing evidence safely"),
        (
            "text",
            """
            - Keep the files in one folder, with clear names, for example the date and the
              platform.
            - Store them where the person decides: on their own device, in a cloud account
              protected with two-factor authentication, or with your organisation if it has a
              safe process for this.
            - Keep a backup copy in a second safe place.
            - Do not store evidence on devices or accounts that the person causing harm may be
              able to access.
            - Do not edit the original screenshots. If something must be hidden before sharing,
              make a copy and keep the original.
            """,
        ),
        ("heading", "Sharing the load"),
        (
            "text",
            """
            Reading abuse again and again hurts. The person does not have to do it alone. With
            their consent, a trusted friend or a supporter can take the screenshots and keep
            the log, so that the person does not need to read every message.

            When you do this work, use the care practices from the course on secondary trauma:
            plan the time, limit what you look at, and debrief afterwards.
            """,
        ),
        (
            "callout",
            {
                "kind": "self_care",
                "title": "Protect yourself while documenting",
                "text": """
                    You do not need to read every message in full to document it. Take breaks.
                    Stop at a set time. If an image or a message stays with you, tell your
                    trainer or your peer group.
                """,
            },
        ),
        (
            "quiz",
            {
                "key": "quiz",
                "title": "Check your understanding",
                "introduction": "Four questions about documenting abuse.",
                "pass_mark": 75,
                "questions": [
                    {
                        "type": "single_choice",
                        "text": """
                            A woman wants to block an account that sends her threats. She is
                            not in immediate danger. What should happen first?
                        """,
                        "options": [
                            (
                                "Block the account straight away; the threats are too upsetting "
                                "to keep.",
                                False,
                                """
                                Her feelings matter, and she can block it soon. But blocking
                                first can make the messages disappear. Save them first, and
                                offer help so she doesn't have to read them all.
                                """,
                            ),
                            (
                                "Save screenshots with date, time and context, and note the "
                                "account's profile URL and the links to the messages. Then "
                                "block.",
                                True,
                                """
                                Yes. Preserve first, then block. If she prefers, someone she
                                trusts can do the documenting for her.
                                """,
                            ),
                            (
                                "Reply to the account asking it to stop, so there is a record "
                                "of the request.",
                                False,
                                """
                                Replying can make the abuse worse, and it is not needed for
                                documentation.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "multiple_choice",
                        "text": """
                            Which details make a screenshot more useful as evidence? Choose all
                            that apply.
                        """,
                        "options": [
                            (
                                "The username of the account",
                                True,
                                """
                                Yes. Display names can change; the username and the profile URL
                                identify the account.
                                """,
                            ),
                            (
                                "The date and time",
                                True,
                                """
                                Yes. Platforms and lawyers need to know when it happened. Note
                                the time zone too.
                                """,
                            ),
                            (
                                "The context, such as the post it answered",
                                True,
                                "Yes. Context shows what the message means and where it appeared.",
                            ),
                            (
                                "Your own notes drawn on the image",
                                False,
                                """
                                Do not edit the original. If you need to mark or hide something,
                                work on a copy.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "true_false",
                        "text": """
                            To help with a report, you should ask the person to send you copies
                            of intimate images that were shared without consent.
                        """,
                        "answer": False,
                        "feedback_true": """
                            No. Do not ask for or keep copies of intimate images. Keeping or
                            sharing them can be a crime in many places, and it can cause more
                            harm. Record the link, the account and the date instead.
                        """,
                        "feedback_false": """
                            Right. Record the link, the account and the date instead. Do not ask
                            for or keep copies of intimate images.
                        """,
                    },
                    {
                        "type": "single_choice",
                        "text": """
                            What is the best thing to write in the “what happened” column of
                            an incident log?
                        """,
                        "options": [
                            (
                                "A full copy of every abusive word in the message",
                                False,
                                """
                                The screenshot already holds the words. Writing them again and
                                again adds to the harm.
                                """,
                            ),
                            (
                                "A few neutral words, like “Threat to publish home address”, "
                                "with the name of the screenshot file",
                                True,
                                """
                                Yes. Short and factual is easier to read for the person, for
                                platforms and for lawyers.
                                """,
                            ),
                            (
                                "How the person felt when they read it",
                                False,
                                """
                                Feelings matter a lot, and you can talk about them. The log
                                itself works best when it stays factual.
                                """,
                            ),
                        ],
                    },
                ],
            },
        ),
    ],
}

REPORTING = {
    "slug": "reporting-and-escalating",
    "title": "Reporting and escalating to platforms",
    "summary": """
        Deciding together whether to report, how platform reporting works, how to write a
        report that reviewers understand, and what to do when a report is refused.
    """,
    "estimated_minutes": 45,
    "content_notes": """
        This module mentions threats, doxxing and intimate images as examples of content to
        report.
    """,
    "requires_previous": True,
    "required": True,
    "body": [
        ("heading", "The person decides"),
        (
            "text",
            """
            Reporting can get content removed and accounts suspended. It can also take energy,
            bring disappointment, and sometimes lead to more abuse if the harasser notices.
            Before reporting, talk with the person about:

            - what they hope will happen;
            - what could happen, including delays or a refusal;
            - whether reporting could make things worse for them;
            - whether they want you, or someone else, to help with the forms.

            Then follow their decision.
            """,
        ),
        ("heading", "How platform reporting works"),
        (
            "text",
            """
            Most platforms have a report option on each post, message and profile. Reports are
            reviewed against the platform's own rules, often called community guidelines or
            terms of service, not against the law. Reviewers may be people or automated
            systems. They often see only the reported item, without context, and they may not
            speak the person's language.

            Many platforms have special forms for some kinds of abuse: intimate images shared
            without consent, impersonation, private information (doxxing) or threats. These
            forms are often faster and work better than the general report button. Online
            communities may also have their own processes, such as contacting administrators or
            a trust and safety team.
            """,
        ),
        ("heading", "Writing a report that works"),
        (
            "text",
            """
            A good report helps the reviewer understand quickly why the content breaks the
            rules.

            - **Choose the most specific category.** “Threat of violence” is better than
              “something else”.
            - **Name the rule.** If you can, mention the specific policy the content breaks.
            - **Give links.** Include the URL of each post and of the profile.
            - **Explain the context in a few short sentences.** Reviewers may not understand
              slang, coded words or the local situation. For example: “This word is a slur
              against women in my country.” Or: “This account was created yesterday and uses my
              name and photo.”
            - **Show the pattern.** If it is part of a campaign, say so: how many accounts,
              since when.
            - **Keep a record.** Note the date, the report number or confirmation, and the
              answer in the incident log.
            """,
        ),
        (
            "callout",
            {
                "kind": "tip",
                "title": "Who sends the report",
                "text": """
                    Some forms, such as those for impersonation or intimate images, must be sent
                    by the person affected, or ask for proof of identity. Check this before you
                    start, so the person is not asked for the same thing twice.
                """,
            },
        ),
        ("heading", "When reporting does not work"),
        (
            "text",
            """
            Often the first answer is “this does not go against our rules”, or there is no
            answer at all. This is frustrating, but it is not the end. Options include:

            - **Appeal, or ask for a review**, when the platform offers it.
            - **Report again with better information**: a more specific category, clearer
              context, or several items that show a pattern.
            - **Escalate through a trusted channel.** Some helplines and civil-society
              organisations have direct contacts with platforms' trust and safety teams,
              sometimes called trusted partner or trusted flagger channels. They can ask for a
              case to be looked at again. In our network, designated people do this, following
              a procedure. As a supporter, you prepare the case: the incident log, links,
              screenshots and a short summary. Then you pass it to your coordinator.
            - **Community processes**: in online communities, administrators or safety teams
              may be able to act where the platform does not.

            Escalation channels are precious. They work because they are used for serious,
            well-documented cases. Never share these contacts outside the organisation.
            """,
        ),
        ("heading", "Managing expectations"),
        (
            "text",
            """
            Be honest: platforms do not always act, and they act at different speeds. Do not
            promise an outcome. Celebrate partial results, like one account removed. And remind
            the person that a refused report is not a judgement about them or about what they
            lived through. The abuse is real, even when a platform does not see it.
            """,
        ),
        (
            "callout",
            {
                "kind": "self_care",
                "title": "Frustration is shared",
                "text": """
                    Reports that go nowhere can make supporters feel powerless too. Talk about
                    it in your peer group. Small wins count, and so does having been there for
                    the person.
                """,
            },
        ),
        (
            "quiz",
            {
                "key": "quiz",
                "title": "Check your understanding",
                "introduction": "Four questions about reporting and escalation.",
                "pass_mark": 75,
                "questions": [
                    {
                        "type": "multiple_choice",
                        "text": """
                            Which of these make a platform report more effective? Choose all
                            that apply.
                        """,
                        "options": [
                            (
                                "Choosing the most specific category, such as a threat of violence",
                                True,
                                "Yes. It sends the report to the right review process.",
                            ),
                            (
                                "Explaining local slang or coded words in a short sentence",
                                True,
                                "Yes. Reviewers may not know the language or the context.",
                            ),
                            (
                                "Including the links to the posts and to the profile",
                                True,
                                """
                                Yes. Links let reviewers find the content, even when
                                screenshots are attached too.
                                """,
                            ),
                            (
                                "Writing a long message about how unfair the platform is",
                                False,
                                """
                                The frustration is understandable, but reviewers work fast.
                                Short, specific facts work better.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "single_choice",
                        "text": """
                            A platform answers that a threatening post “does not go against our
                            rules”. What is a good next step?
                        """,
                        "options": [
                            (
                                "Tell the person that nothing more can be done.",
                                False,
                                """
                                There are usually other options: an appeal, a better report, or
                                escalation through a trusted channel.
                                """,
                            ),
                            (
                                "Publish the post and the platform's answer on social media, to "
                                "put pressure on the platform.",
                                False,
                                """
                                This can expose the person to more abuse. It should never
                                happen without their clear consent and a careful plan.
                                """,
                            ),
                            (
                                "With the person's agreement, appeal or report again with "
                                "clearer context; if it is serious, prepare the case for your "
                                "coordinator to escalate.",
                                True,
                                """
                                Yes. Better information, or a trusted escalation channel, often
                                changes the outcome.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "true_false",
                        "text": """
                            Platforms review reports against their own rules, which are not the
                            same as the law.
                        """,
                        "answer": True,
                        "feedback_true": """
                            Right. That is why naming the platform's policy helps, and why legal
                            questions need legal specialists.
                        """,
                        "feedback_false": """
                            In fact, it is true. Platforms apply their own community guidelines
                            or terms of service. Legal questions need legal specialists.
                        """,
                    },
                    {
                        "type": "single_choice",
                        "text": """
                            Who should use the organisation's direct escalation contacts at
                            platforms?
                        """,
                        "options": [
                            (
                                "Any supporter, whenever a report is refused.",
                                False,
                                """
                                These channels work because they are used with care, by
                                designated people, for serious and well-documented cases.
                                """,
                            ),
                            (
                                "Designated people in the organisation, following its procedure, "
                                "with a well-documented case.",
                                True,
                                """
                                Yes. Your part as a supporter is to prepare the documentation and
                                pass it to your coordinator.
                                """,
                            ),
                            (
                                "The person who is harassed, directly.",
                                False,
                                """
                                Escalation contacts are shared between organisations and
                                platforms in trust; they are not public.
                                """,
                            ),
                        ],
                    },
                ],
            },
        ),
    ],
}

SECURITY_AND_REFERRAL = {
    "slug": "digital-security-and-referral",
    "title": "Digital-security first steps and referring on",
    "summary": """
        First steps to protect accounts, privacy and devices, when to be careful with changes,
        and when and how to refer the person to specialists.
    """,
    "estimated_minutes": 50,
    "content_notes": """
        This module mentions stalking, monitoring software, account takeover, doxxing and risks
        to physical safety.
    """,
    "requires_previous": True,
    "required": True,
    "body": [
        ("heading", "Start from the person's situation"),
        (
            "text",
            """
            Digital security is not one list of rules for everybody. It depends on who is
            causing harm, what they can access, and what the person needs to keep doing online.
            A journalist who must stay public needs different steps from someone whose former
            partner knew all her passwords.

            Before suggesting changes, ask: Who do you think is behind this? Could they have had
            access to your phone, computer or accounts? Which accounts matter most to you? Then
            start with small steps that give the person back some control.
            """,
        ),
        (
            "callout",
            {
                "kind": "important",
                "title": "Careful if someone may be watching",
                "text": """
                    If the person causing harm may have access to the person's devices or
                    accounts, for example a current or former partner, sudden changes can alert
                    them and increase the risk. Do not rush. Refer to specialists in digital
                    security and safety planning before changing settings or removing apps.
                """,
            },
        ),
        ("heading", "Protecting accounts"),
        (
            "text",
            """
            These steps protect against most account takeovers. Go through them together, at
            the person's pace. Start with the most important account, usually their email,
            because it can reset the passwords of all the others.

            1. **A strong, different password for each account.** A password manager creates
               and remembers them, so the person only needs to remember one strong passphrase.
               A passphrase of several random words is easier to remember than a short,
               complicated password.
            2. **Two-factor authentication (2FA).** A second step when logging in, such as a
               code from an app or a security key. Apps and security keys are safer than codes
               by SMS, but SMS is better than nothing. Keep the backup codes in a safe place.
            3. **Check active sessions and devices.** Most services show where the account is
               logged in. Log out of any device or place the person does not recognise.
            4. **Check recovery options.** Make sure the recovery email and phone number belong
               to the person, and that nobody else can use them.
            5. **Check connected apps and forwarding.** Remove apps the person does not use, and
               check that their email is not forwarded to an unknown address.
            """,
        ),
        ("heading", "Privacy settings and exposure"),
        (
            "text",
            """
            - Review who can see posts, friends lists, tagged photos and contact details, and
              who can send messages.
            - Turn off location in posts and photos, and check apps that share location with
              other people.
            - Look at what is public across all accounts together. Small details in many places
              can reveal a home, a workplace or a daily routine.
            - To reduce the risk of doxxing, the person can search for their own name,
              usernames and phone number, and ask websites to remove personal information where
              possible. This is easier before an attack than during one.
            - Filters and mute options can reduce what the person has to see, without deleting
              evidence.
            """,
        ),
        ("heading", "Devices"),
        (
            "text",
            """
            Keep phones and computers updated, use a screen lock, and remove apps the person
            does not recognise.

            If the person thinks someone has installed monitoring software (sometimes called
            stalkerware), or someone has had physical access to their phone, this is a case
            for specialist help. Do not remove the software together without a plan: the
            person who installed it may notice, and it may also be evidence.
            """,
        ),
        ("heading", "Referring on"),
        (
            "text",
            """
            You will often reach the limit of what peer support can do. That is expected. Refer
            on when:

            - there is a risk to physical safety, such as a published address, detailed threats,
              or a violent partner or former partner. **Safety planning** belongs with
              specialists.
            - the person wants to know about legal options, or to go to the police: connect
              them with **legal help**.
            - there is an immediate danger to life: **emergency services**, following your
              organisation's procedure.
            - there may be monitoring software, a compromised device or a complex account
              takeover: **specialist digital-security help**.
            - the person is overwhelmed for a long time, or talks about harming themselves:
              **psychological support** or crisis services.

            Use your organisation's referral list. Ask for the person's consent before sharing
            anything. Prepare a short summary, so they do not have to tell everything again.
            And follow up, if your practice allows it.
            """,
        ),
        (
            "callout",
            {
                "kind": "self_care",
                "title": "You don't need to know everything",
                "text": """
                    Digital security can feel endless. You are not expected to be an expert.
                    Knowing the first steps, and knowing whom to ask, is enough. When in doubt,
                    ask your coordinator.
                """,
            },
        ),
        (
            "quiz",
            {
                "key": "quiz",
                "title": "Check your understanding",
                "introduction": "Four questions about first steps and referral.",
                "pass_mark": 75,
                "questions": [
                    {
                        "type": "single_choice",
                        "text": "Which account is usually the most important to secure first?",
                        "options": [
                            (
                                "The person's main email account",
                                True,
                                """
                                Yes. Email can reset the passwords of most other accounts, so
                                protecting it protects the rest.
                                """,
                            ),
                            (
                                "The account where most of the abuse happens",
                                False,
                                """
                                It matters, but if the email behind it is not secure, someone
                                can take it over with a password reset.
                                """,
                            ),
                            (
                                "The oldest account the person has",
                                False,
                                """
                                Old, unused accounts are worth closing or securing later. Start
                                with the email that can reset the others.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "multiple_choice",
                        "text": """
                            Which steps help protect an account from being taken over? Choose
                            all that apply.
                        """,
                        "options": [
                            (
                                "Turning on two-factor authentication, ideally with an app or a "
                                "security key",
                                True,
                                """
                                Yes. A second step when logging in stops most attacks that use a
                                stolen password.
                                """,
                            ),
                            (
                                "Checking active sessions and logging out of unknown devices",
                                True,
                                "Yes. This can end access that someone already has.",
                            ),
                            (
                                "Using the same strong password everywhere, so it is easy to "
                                "remember",
                                False,
                                """
                                If one service leaks it, every account is at risk. A password
                                manager makes different passwords easy.
                                """,
                            ),
                            (
                                "Checking that the recovery email and phone belong to the person",
                                True,
                                """
                                Yes. Attackers sometimes change the recovery options to keep
                                access.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "true_false",
                        "text": """
                            If a person suspects that their former partner installed monitoring
                            software on their phone, the best first step is to delete the
                            suspicious app straight away.
                        """,
                        "answer": False,
                        "feedback_true": """
                            Not quite. Removing it may alert the person who installed it and
                            increase the risk, and it may destroy evidence. This needs
                            specialist help and a safety plan first.
                        """,
                        "feedback_false": """
                            Right. Removing it suddenly may alert the person who installed it,
                            and destroy evidence. Refer to specialist help for a safety plan.
                        """,
                    },
                    {
                        "type": "single_choice",
                        "text": """
                            A woman tells you her harasser has posted her home address and says
                            he will “pay her a visit”. What do you do?
                        """,
                        "options": [
                            (
                                "Help her change her privacy settings, then close the case.",
                                False,
                                """
                                Privacy settings matter, but a threat linked to her address
                                means a physical risk. This needs safety planning with
                                specialists.
                                """,
                            ),
                            (
                                "Follow your organisation's procedure: involve your coordinator, "
                                "refer her to specialists for safety planning, and to emergency "
                                "services if the danger is immediate.",
                                True,
                                """
                                Yes. Physical risk goes beyond peer support. Stay with her while
                                the right help is found, and help document the threat.
                                """,
                            ),
                            (
                                "Reply to the harasser and tell him you are reporting him to the "
                                "police.",
                                False,
                                """
                                Contacting the harasser can increase the risk for her and for
                                you. Never confront the person who causes harm.
                                """,
                            ),
                        ],
                    },
                ],
            },
        ),
        (
            "reflection",
            {
                "key": "reflection",
                "prompt": """
                    Look at your own main accounts. Which of the steps in this module have you
                    already taken? Which one will you take this week? Practising on your own
                    accounts first makes it easier to explain the steps to others, and
                    supporters are sometimes targeted too.
                """,
                "guidance": """
                    Do not write any passwords or private details here. A short list of steps is
                    enough.
                """,
                "required": True,
            },
        ),
    ],
}

RESPONDING = {
    "slug": "responding-to-online-harassment",
    "title": "Responding to online harassment",
    "summary": """
        Practical steps to accompany someone who is harassed online: understanding what is
        happening, documenting abuse, reporting and escalating to platforms, first steps in
        digital security, and referring on when the situation needs specialists.
    """,
    "learning_outcomes": [
        "Recognise common forms of online harassment and signs of higher risk.",
        "Help someone preserve and document abuse before reporting or blocking.",
        "Prepare clear reports to platforms, and know when and how to escalate.",
        "Guide first steps in account security: passwords, 2FA, sessions, privacy settings.",
        "Recognise when a situation needs specialists, and refer the person with care.",
    ],
    "estimated_hours": "3.0",
    "topics": ["harassment-response", "documentation", "digital-security"],
    "content_notes": """
        This course describes forms of online abuse, including threats, doxxing, stalking and
        the non-consensual sharing of intimate images. Examples are short and not graphic.
    """,
    "how_to_join": HOW_TO_JOIN,
    "free_preview": True,
    "languages": ["en"],
    "prerequisites": ["feminist-accompaniment"],
    "modules": [UNDERSTANDING, DOCUMENTING, REPORTING, SECURITY_AND_REFERRAL],
}


COURSES = [FEMINIST_ACCOMPANIMENT, SECONDARY_TRAUMA, RESPONDING]

# Sample H5P packages for the practice module, imported from ACOMPANA_DEMO_H5P_DIR (by default
# ../shared/h5p-samples beside the code). Their libraries are approved by the demo, as an
# administrator would after review. Without the files, the practice module is left out.
H5P_SAMPLES = {
    "true-false": ("truefalse.h5p", "Practice: true or false"),
    "question-set": ("questionset-multichoice.h5p", "Practice: five questions about numbers"),
}
# The samples' own words that a learner would see, replaced in the demo's copy of the package
# (same structure as content.json; the files on disk stay as published): the question set's
# start screen says "THIS IS THE TITLE" and names the tool that made it. The copy is uploaded
# and checked like any package. The Spanish words are in demo_content_es.H5P.
H5P_WORDS = {
    "question-set": {
        "introPage": {
            "title": "Five questions about numbers",
            "introduction": (
                "<p>A sample exercise: five multiple-choice questions about numbers, picked at "
                "random. It shows how a question set works here; it is not about "
                "accompaniment.</p>\n"
            ),
        },
    },
}

# The demo volunteer's progress, applied in this order through the learning services. The last
# visit is what their dashboard offers to “continue where you left off”.
DEMO_PROGRESS = [
    ("secondary-trauma-and-care", "what-accompanying-does-to-us", "visit"),
    ("feminist-accompaniment", "welcome", "mark_done"),
    ("feminist-accompaniment", "listening-without-judgement", "pass_quizzes"),
    ("feminist-accompaniment", "defusing-blame", "visit"),
]

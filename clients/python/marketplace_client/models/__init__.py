"""Contains all the data models used in inputs/outputs"""

from .admin_user import AdminUser
from .admin_user_page import AdminUserPage
from .audit_entry import AuditEntry
from .audit_entry_actor_type_0_type_0 import AuditEntryActorType0Type0
from .audit_entry_data import AuditEntryData
from .audit_entry_page import AuditEntryPage
from .author import Author
from .balance import Balance
from .balances import Balances
from .bid import Bid
from .bid_create import BidCreate
from .bid_milestone import BidMilestone
from .bid_page import BidPage
from .bid_status import BidStatus
from .bid_update import BidUpdate
from .contract import Contract
from .contract_page import ContractPage
from .contract_status import ContractStatus
from .dispute import Dispute
from .dispute_create import DisputeCreate
from .dispute_message import DisputeMessage
from .dispute_message_create import DisputeMessageCreate
from .dispute_opened_by_type_1_type_0 import DisputeOpenedByType1Type0
from .dispute_page import DisputePage
from .dispute_resolution_type_0_type_0 import DisputeResolutionType0Type0
from .dispute_status import DisputeStatus
from .fund import Fund
from .get_api_v1_admin_users_role import GetApiV1AdminUsersRole
from .get_api_v1_admin_users_status import GetApiV1AdminUsersStatus
from .get_api_v1_bids_status import GetApiV1BidsStatus
from .get_api_v1_contracts_status import GetApiV1ContractsStatus
from .get_api_v1_disputes_status import GetApiV1DisputesStatus
from .get_api_v1_jobs_job_id_bids_status import GetApiV1JobsJobIdBidsStatus
from .get_api_v1_jobs_sort import GetApiV1JobsSort
from .get_api_v1_jobs_status import GetApiV1JobsStatus
from .get_api_v1_me_transactions_type import GetApiV1MeTransactionsType
from .job import Job
from .job_create import JobCreate
from .job_page import JobPage
from .job_status import JobStatus
from .job_update import JobUpdate
from .ledger_check import LedgerCheck
from .login import Login
from .login_result import LoginResult
from .message import Message
from .message_create import MessageCreate
from .message_page import MessagePage
from .milestone import Milestone
from .milestone_create import MilestoneCreate
from .milestone_status import MilestoneStatus
from .pagination_metadata import PaginationMetadata
from .payment_status import PaymentStatus
from .payout_account import PayoutAccount
from .person import Person
from .problem import Problem
from .problem_errors import ProblemErrors
from .profile_update import ProfileUpdate
from .public_user import PublicUser
from .rating import Rating
from .register import Register
from .register_role import RegisterRole
from .request_changes import RequestChanges
from .resolution import Resolution
from .resolve import Resolve
from .review import Review
from .review_create import ReviewCreate
from .submission import Submission
from .submit import Submit
from .suspend import Suspend
from .token import Token
from .token_create import TokenCreate
from .token_created import TokenCreated
from .token_page import TokenPage
from .transaction import Transaction
from .transaction_page import TransactionPage
from .transaction_type import TransactionType
from .user import User
from .user_ref import UserRef

__all__ = (
    "AdminUser",
    "AdminUserPage",
    "AuditEntry",
    "AuditEntryActorType0Type0",
    "AuditEntryData",
    "AuditEntryPage",
    "Author",
    "Balance",
    "Balances",
    "Bid",
    "BidCreate",
    "BidMilestone",
    "BidPage",
    "BidStatus",
    "BidUpdate",
    "Contract",
    "ContractPage",
    "ContractStatus",
    "Dispute",
    "DisputeCreate",
    "DisputeMessage",
    "DisputeMessageCreate",
    "DisputeOpenedByType1Type0",
    "DisputePage",
    "DisputeResolutionType0Type0",
    "DisputeStatus",
    "Fund",
    "GetApiV1AdminUsersRole",
    "GetApiV1AdminUsersStatus",
    "GetApiV1BidsStatus",
    "GetApiV1ContractsStatus",
    "GetApiV1DisputesStatus",
    "GetApiV1JobsJobIdBidsStatus",
    "GetApiV1JobsSort",
    "GetApiV1JobsStatus",
    "GetApiV1MeTransactionsType",
    "Job",
    "JobCreate",
    "JobPage",
    "JobStatus",
    "JobUpdate",
    "LedgerCheck",
    "Login",
    "LoginResult",
    "Message",
    "MessageCreate",
    "MessagePage",
    "Milestone",
    "MilestoneCreate",
    "MilestoneStatus",
    "PaginationMetadata",
    "PaymentStatus",
    "PayoutAccount",
    "Person",
    "Problem",
    "ProblemErrors",
    "ProfileUpdate",
    "PublicUser",
    "Rating",
    "Register",
    "RegisterRole",
    "RequestChanges",
    "Resolution",
    "Resolve",
    "Review",
    "ReviewCreate",
    "Submission",
    "Submit",
    "Suspend",
    "Token",
    "TokenCreate",
    "TokenCreated",
    "TokenPage",
    "Transaction",
    "TransactionPage",
    "TransactionType",
    "User",
    "UserRef",
)
